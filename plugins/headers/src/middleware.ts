import type { HttpHandler, Middleware } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import type { HeadersConfig } from './config.js';
import { answerPreflight, decorateActual, isPreflight } from './cors.js';
import { addRequestHeader } from './request-header.js';

/**
 * RoadRunner's `headers` middleware. `response` headers are set first, so they are on every answer,
 * preflights included; `request` headers are added to what PHP receives (appended to an existing
 * value, as Go's Header.Add); CORS preflights are answered here and never reach PHP.
 */
export function headersMiddleware(config: HeadersConfig, logger: Logger): Middleware {
  const request = Object.entries(config.request);
  const response = Object.entries(config.response);
  return (next: HttpHandler): HttpHandler => async (req, res) => {
    for (const [name, value] of request) addRequestHeader(req, name, value);
    for (const [name, value] of response) res.setHeader(name, value);
    const cors = config.cors;
    if (cors !== undefined) {
      if (isPreflight(req)) {
        answerPreflight(cors, req, res, logger);
        return;
      }
      decorateActual(cors, req, res, logger);
    }
    await next(req, res);
  };
}

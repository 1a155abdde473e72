import { definePlugin } from '@rr/plugin-api';
import { httpMiddlewareToken } from '@rr/http-api';
import { compileHeadersConfig, type HeadersConfig } from './config.js';
import { headersMiddleware } from './middleware.js';
import { headersSchema } from './schema.js';

/** RoadRunner's `headers` middleware (CORS, extra headers): enabled by an `http.headers` section. */
export const headersPlugin = definePlugin<{}, {}, HeadersConfig>({
  name: 'headers',
  kernel: '^0.1.0',
  description: 'HTTP middleware: CORS and extra request/response headers',
  contributes: [httpMiddlewareToken],
  config: { section: 'http.headers', schema: headersSchema, compile: compileHeadersConfig },
  init(ctx) {
    // lean: reads and extends headers/rawHeaders, sets response headers, answers preflights with end().
    ctx.contribute(httpMiddlewareToken, { name: 'headers', middleware: headersMiddleware(ctx.config, ctx.logger), lean: true });
  },
});

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { defineToken } from '@rr/plugin-api';

/** A request as every listener (HTTP/1.1, HTTPS, HTTP/2, h2c) hands it over. @public */
export type HttpRequest = IncomingMessage | Http2ServerRequest;
/** @public */
export type HttpResponse = ServerResponse | Http2ServerResponse;

/** Handles a request completely (writes and ends the response). @public */
export type HttpHandler = (req: HttpRequest, res: HttpResponse) => Promise<void>;

/**
 * Wraps the next handler, as RoadRunner's `func(next http.Handler) http.Handler`. A middleware may
 * answer by itself (static files, CORS preflight) or call `next`.
 * @public
 */
export type Middleware = (next: HttpHandler) => HttpHandler;

/** One named middleware, as listed in `http.middleware`. @public */
export interface MiddlewareContribution {
  /** The name users list in `http.middleware` (`headers`, `gzip`, `static`, …). */
  readonly name: string;
  readonly middleware: Middleware;
  /**
   * The middleware uses only the members of the request and response that the lean HTTP/1 lane
   * provides (see docs/plugins.md, "Middleware and the lean HTTP/1 lane"): request `method`, `url`,
   * `headers`, `rawHeaders`, `httpVersion*`, `socket`; response status and header methods,
   * `writeHead`, `write`/`end` with `drain`, `addTrailers`, `destroy`, `close`/`finish` events and
   * piping into it. Without this flag a listed middleware makes the listener use node:http.
   */
  readonly lean?: boolean;
}

/**
 * Registry of HTTP middleware (multi token). Middleware plugins contribute in init; the http plugin
 * wraps its handler with the ones `http.middleware` names, the last listed outermost (RoadRunner's order).
 * @public
 */
export const httpMiddlewareToken = defineToken<MiddlewareContribution>('http.middleware', { multi: true });

/** Per-request values middleware share with the http plugin (e.g. the real client address). @public */
export interface RequestState {
  /** `ip:port` of the client as PHP will see it; proxy_ip_parser may replace it. */
  remoteAddr: string;
  /** Attributes passed to PHP in the request context (`attributes`). */
  readonly attributes: Record<string, unknown>;
  /** High-resolution start time (performance.now()). */
  readonly startedAt: number;
}

const STATE = Symbol.for('rr.http.requestState');

/** The request's shared state, created on first use. @public */
export function requestState(req: HttpRequest): RequestState {
  const holder = req as unknown as { [STATE]?: RequestState };
  let state = holder[STATE];
  if (state === undefined) {
    const socket = req.socket;
    const host = socket?.remoteAddress ?? '';
    const addr = host.includes(':') ? `[${host}]:${socket?.remotePort ?? 0}` : `${host}:${socket?.remotePort ?? 0}`;
    state = { remoteAddr: addr, attributes: {}, startedAt: performance.now() };
    holder[STATE] = state;
  }
  return state;
}

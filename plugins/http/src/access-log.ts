import type { HttpHandler, HttpRequest, HttpResponse, Middleware } from '@rr/http-api';
import { requestState } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import { READ, WRITTEN, type Counted } from './exchange.js';
import { wallClock } from './php-handler.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Go's "02/Jan/06:15:04:05 -0700" in local time. */
export function timeLocal(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${pad(d.getFullYear() % 100)}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

function header(req: HttpRequest, name: string): string {
  const v = req.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
}

function host(req: HttpRequest): string {
  return req.httpVersionMajor === 2 ? ((req as { authority?: string }).authority ?? header(req, 'host')) : header(req, 'host');
}

/**
 * RoadRunner's per-request log line (rr-surface.md §5.4), logger `http`, level info: `http log`, or
 * `http access log` with more fields when `access_logs` is on. Skipped entirely when info is off.
 */
export function accessLogMiddleware(logger: Logger, access: boolean): Middleware {
  async function logged(next: HttpHandler, req: HttpRequest, res: HttpResponse): Promise<void> {
    const state = requestState(req);
    await next(req, res);
    const start = state.startedAt;
    const elapsed = Math.floor(performance.now() - start);
    const readBytes = (req as unknown as Counted)[READ] ?? 0;
    const writeBytes = (res as unknown as Counted)[WRITTEN] ?? 0;
    const uri = req.url ?? '';
    if (!access) {
      logger.info('http log', {
        status: res.statusCode, method: req.method, URI: uri, URL: uri, remote_address: state.remoteAddr,
        read_bytes: readBytes, write_bytes: writeBytes, start: wallClock(start), elapsed,
      });
      return;
    }
    const q = uri.indexOf('?');
    const now = new Date();
    const cl = req.headers['content-length'];
    logger.info('http access log', {
      read_bytes: readBytes, write_bytes: writeBytes, status: res.statusCode, method: req.method, URI: uri, URL: uri,
      remote_address: state.remoteAddr, query: q < 0 ? '' : uri.slice(q + 1),
      // Go reports -1 when the length is unknown (chunked), 0 for no body.
      content_len: cl !== undefined ? Number(cl) : req.headers['transfer-encoding'] !== undefined ? -1 : 0,
      host: host(req), user_agent: header(req, 'user-agent'), referer: header(req, 'referer'),
      time_local: timeLocal(now), request_time: now, start: wallClock(start), elapsed,
    });
  }
  // Not async itself: with info off, the request's promise is next's own (an async wrapper that
  // returned it would add a promise and two microtask turns to every request).
  return (next) => function accessLog(req: HttpRequest, res: HttpResponse): Promise<void> {
    return logger.isEnabled('info') ? logged(next, req, res) : next(req, res);
  };
}

/**
 * Refuses bodies declared larger than `max_request_size` with 413 before anything reads them; the
 * php handler enforces the same limit while reading chunked bodies.
 */
export function maxRequestSizeMiddleware(limit: number): Middleware {
  return (next) => function maxRequestSize(req: HttpRequest, res: HttpResponse): Promise<void> {
    const cl = req.headers['content-length'];
    if (cl !== undefined && Number(cl) > limit) {
      const body = 'request body max size is exceeded\n';
      const h: Record<string, string | number> = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) };
      // Closing the connection spares reading a body nobody wants (HTTP/2 resets the stream instead).
      if (req.httpVersionMajor === 1) h['Connection'] = 'close';
      res.writeHead(413, h as never);
      res.end(body);
      return Promise.resolve();
    }
    return next(req, res);
  };
}

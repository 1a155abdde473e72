import { isLeanRequest } from '@rr/h1';
import { requestState, type HttpHandler, type HttpRequest, type HttpResponse } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import type { ExecPayload, Pool } from '@rr/pool-api';
import { BadBodyError, hasBody, prepareBody, readBody, TooLargeError } from './body.js';
import type { HttpConfig } from './config.js';
import { escapeHtml } from './errors.js';
import { BadStatusError, READ, ResponseWriter, type Counted } from './exchange.js';
import { stripPort } from './remote-addr.js';
import { describeRequest, encodeJsonContext } from './request-context.js';
import { ResponseContextError } from './response-context.js';
import { removeTemps } from './uploads.js';

const EMPTY = Buffer.alloc(0);
const ABORT = Symbol('rr.http.abort');

type Abortable = { [ABORT]?: AbortController | undefined };

// Shared 'close' listener: a client that goes away before the response is complete cancels the
// exec (the pool stops a stream with a STOP frame, or drops the queued request).
function onClose(this: Abortable): void {
  const ac = this[ABORT];
  if (ac !== undefined) {
    this[ABORT] = undefined;
    ac.abort(new Error('the client closed the connection'));
  }
}

/**
 * The signal that cancels a request's exec when its client goes away. HTTP/1: one per connection,
 * aborted when the socket closes — every request of a connection dies with it, and a fresh
 * AbortController per request was ~5 % of the hot path. HTTP/2 streams close on their own: one per
 * request, dropped by {@link releaseSignal}.
 */
function abortSignalFor(req: HttpRequest, res: HttpResponse): AbortSignal {
  if (req.httpVersionMajor !== 2) {
    const socket = req.socket as unknown as Abortable & NodeJS.EventEmitter;
    let ac = socket[ABORT];
    if (ac === undefined) {
      ac = new AbortController();
      socket[ABORT] = ac;
      socket.once('close', onClose);
    }
    return ac.signal;
  }
  const ac = new AbortController();
  (res as Abortable)[ABORT] = ac;
  res.once('close', onClose);
  return ac.signal;
}

function releaseSignal(req: HttpRequest, res: HttpResponse): void {
  if (req.httpVersionMajor !== 2) return;
  (res as Abortable)[ABORT] = undefined;
  res.off('close', onClose);
}

function isTls(req: HttpRequest): boolean {
  if (req.httpVersionMajor === 2) return (req as { scheme?: string }).scheme === 'https';
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/** Monotonic ms → wall-clock Date, for log fields. */
export function wallClock(perfMs: number): Date {
  return new Date(performance.timeOrigin + perfMs);
}

export interface PhpHandlerOptions {
  readonly config: HttpConfig;
  readonly logger: Logger;
  /** The pool, once serve created it. */
  readonly pool: () => Pool | undefined;
}

/**
 * The innermost handler: turns the request into a worker payload (JSON context, flag 0x08), runs it
 * on the pool and writes the answer, streamed frames as they arrive. Never rejects: every failure
 * is answered (internal_error_code, 400, 413) or, when the client is gone, dropped.
 */
export function createPhpHandler(o: PhpHandlerOptions): HttpHandler {
  const { config, logger } = o;
  const internal = config.internalErrorCode;
  const debug = config.pool.debug;

  const onIgnored = (status: number): void => {
    logger.warn('status code is not supported and the frame was ignored', { status });
  };

  function logError(msg: string, startedAt: number, err: unknown): void {
    if (logger.isEnabled('error')) {
      logger.error(msg, { start: wallClock(startedAt), elapsed: Math.floor(performance.now() - startedAt), error: err });
    }
  }

  function answer(res: HttpResponse, status: number, body: string, headers?: Record<string, string>): void {
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    const h: Record<string, string | number> = { ...headers };
    if (body !== '') {
      h['Content-Type'] ??= 'text/plain; charset=utf-8';
      h['Content-Length'] = Buffer.byteLength(body);
    } else {
      h['Content-Length'] = 0;
    }
    res.writeHead(status, h as never);
    res.end(body);
  }

  function failExec(req: HttpRequest, res: HttpResponse, err: unknown, startedAt: number, remoteIp: string): void {
    const code = (err as { code?: string }).code;
    if (code === 'RR_ERR_POOL_ABORTED' || res.destroyed) return;
    logError('execute', startedAt, err);
    const message = err instanceof Error ? err.message : String(err);
    switch (code) {
      case 'RR_ERR_POOL_NO_FREE_WORKERS':
        answer(res, internal, debug ? escapeHtml(message) : '', { 'No-Workers': 'true', 'Retry-After': '1' });
        return;
      case 'RR_ERR_POOL_BOOT':
        if (debug && isLoopback(remoteIp)) {
          answer(res, internal, bootPage(message), { 'Content-Type': 'text/html; charset=utf-8' });
          return;
        }
        answer(res, internal, '');
        return;
      default:
        answer(res, internal, debug ? escapeHtml(message) : '');
    }
    void req;
  }

  return async function php(req: HttpRequest, res: HttpResponse): Promise<void> {
    const state = requestState(req);
    const startedAt = state.startedAt;
    const method = req.method ?? 'GET';
    let raw: Buffer = EMPTY;
    if (isLeanRequest(req)) {
      if (req.bodyTooLarge) {
        // Normally answered earlier by the max-request-size middleware; never pass PHP an empty body instead.
        answer(res, 413, 'request body max size is exceeded\n', { Connection: 'close' });
        return;
      }
      // The lean lane read the body already (within max_request_size).
      raw = method === 'HEAD' || method === 'OPTIONS' ? EMPTY : req.body;
      if (raw.length > 0) (req as unknown as Counted)[READ] = raw.length;
    } else if (method !== 'HEAD' && method !== 'OPTIONS' && hasBody(req)) {
      try {
        raw = await readBody(req, config.maxRequestSize);
      } catch (err) {
        if (err instanceof TooLargeError) {
          // Close the connection: the rest of the body is not worth reading.
          answer(res, 413, 'request body max size is exceeded\n', req.httpVersionMajor === 1 ? { Connection: 'close' } : undefined);
          return;
        }
        // The client went away while sending the body.
        if (!res.destroyed) answer(res, 400, '');
        return;
      }
      (req as unknown as Counted)[READ] = raw.length;
    }
    const remoteIp = stripPort(state.remoteAddr);
    const fields = describeRequest(req, remoteIp, isTls(req), state.attributes);
    const temps: string[] = [];
    let body = raw;
    try {
      const contentType = req.headers['content-type'];
      if (contentType !== undefined && (raw.length > 0 || contentType.includes('form')) && method !== 'HEAD' && method !== 'OPTIONS') {
        const prepared = await prepareBody(method, contentType, raw, config, temps);
        body = prepared.body;
        fields.parsed = prepared.parsed;
        fields.uploads = prepared.uploads;
      }
    } catch (err) {
      if (temps.length > 0) await removeTemps(temps);
      logError('request forming error', startedAt, err);
      if (err instanceof BadBodyError) answer(res, 400, `serve_http: ${err.message}\n`);
      else answer(res, internal, debug ? escapeHtml(String((err as Error).message)) : '');
      return;
    }

    const pool = o.pool();
    if (pool === undefined) {
      answer(res, 503, '');
      return;
    }
    const writer = new ResponseWriter(req, res, onIgnored);
    const signal = abortSignalFor(req, res);
    try {
      const payload: ExecPayload = { context: encodeJsonContext(fields), body, codec: 'json' };
      const result = await pool.exec(payload, { signal, onChunk: writer.onChunk });
      // PHP is done with the uploads once it answered: remove them before the client sees the end.
      if (temps.length > 0) await removeTemps(temps.splice(0));
      if (writer.streamed) writer.finish();
      else writer.single(result);
    } catch (err) {
      if (err instanceof BadStatusError || err instanceof ResponseContextError) {
        logError('write response error', startedAt, err);
        answer(res, 500, `${err.message}\n`);
      } else if (writer.streamed || writer.headersSent) {
        logError(writer.streamed ? 'read stream' : 'write response error', startedAt, err);
        if (!res.writableEnded && !res.destroyed) res.end();
      } else {
        failExec(req, res, err, startedAt, remoteIp);
      }
    } finally {
      releaseSignal(req, res);
      if (temps.length > 0) await removeTemps(temps);
    }
  };
}

function bootPage(message: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>rr: PHP worker failed to start</title></head>
<body>
<h1>The PHP worker could not start</h1>
<p>rr runs the http pool in debug mode and starts a fresh worker for every request; this one failed before it could answer. This page is only shown to clients on the loopback interface.</p>
<pre>${escapeHtml(message)}</pre>
</body></html>
`;
}

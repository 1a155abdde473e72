import { constants, createGzip, type Gzip } from 'node:zlib';
import type { HttpHandler, HttpRequest, HttpResponse, Middleware } from '@rr/http-api';
import { acceptsGzip, compressibleType } from './negotiate.js';

/** Bodies shorter than this (when their length is known up front) are sent as they are. */
export const MIN_GZIP_SIZE = 1024;

type Write = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;
type End = (chunk?: unknown, encoding?: unknown, cb?: unknown) => unknown;
type WriteHead = (...args: unknown[]) => unknown;

/**
 * RoadRunner's `gzip` middleware (klauspost gzhttp with zstd off): always adds
 * `Vary: Accept-Encoding`; compresses when the client accepts gzip and the response allows it.
 * The decision is taken when the headers go out: on `writeHead`, the first `write`, or `end`.
 * Every write is flushed through zlib (Z_SYNC_FLUSH), so streamed responses stay streamed.
 */
export function gzipMiddleware(): Middleware {
  return (next: HttpHandler): HttpHandler => async (req, res) => {
    appendVary(res, 'Accept-Encoding');
    if (req.method === 'HEAD' || !acceptsGzip(req.headers['accept-encoding'])) {
      await next(req, res);
      return;
    }
    wrapResponse(req, res);
    await next(req, res);
  };
}

function wrapResponse(req: HttpRequest, res: HttpResponse): void {
  const r = res as unknown as { write: Write; end: End; writeHead: WriteHead; once: HttpResponse['once']; emit(e: string): boolean };
  const origWrite = r.write.bind(res) as Write;
  const origEnd = r.end.bind(res) as End;
  const origWriteHead = r.writeHead.bind(res) as WriteHead;
  let decided = false;
  let gz: Gzip | undefined;

  /** Chooses once, while headers can still change. `length` is the body size when known. */
  const decide = (length: number | undefined): void => {
    if (decided) return;
    decided = true;
    if (!eligible(res, length)) return;
    res.removeHeader('Content-Length');
    res.setHeader('Content-Encoding', 'gzip');
    res.removeHeader('Accept-Ranges');
    const etag = res.getHeader('ETag');
    // The compressed bytes differ from the identity ones, so a strong validator would lie.
    if (typeof etag === 'string' && !etag.startsWith('W/')) res.setHeader('ETag', `W/${etag}`);
    gz = createGzip();
    gz.on('data', (chunk: Buffer) => {
      if (!origWrite(chunk)) {
        gz!.pause();
        r.once('drain', () => gz!.resume());
      }
    });
    gz.on('end', () => origEnd());
    gz.on('error', () => res.destroy());
    r.once('close', () => {
      if (!gz!.writableFinished) gz!.destroy();
    });
  };

  r.writeHead = (...args: unknown[]): unknown => {
    const [status, second, third] = args;
    const headers = typeof second === 'string' ? third : second;
    if (typeof status === 'number') res.statusCode = status;
    if (headers !== undefined && headers !== null) applyHeaders(res, headers);
    decide(undefined);
    return typeof second === 'string' ? origWriteHead(res.statusCode, second) : origWriteHead(res.statusCode);
  };

  r.write = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    decide(undefined);
    if (gz === undefined) return origWrite(chunk, encoding, cb);
    const ok = gz.write(chunk as Buffer, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8');
    gz.flush(constants.Z_SYNC_FLUSH, typeof encoding === 'function' ? encoding as () => void : typeof cb === 'function' ? cb as () => void : undefined);
    if (!ok) gz.once('drain', () => r.emit('drain'));
    return ok;
  };

  r.end = (chunk?: unknown, encoding?: unknown, cb?: unknown): unknown => {
    const data = typeof chunk === 'function' ? undefined : chunk;
    const done = [chunk, encoding, cb].find((x) => typeof x === 'function') as (() => void) | undefined;
    decide(data === undefined || data === null ? 0 : byteLength(data, encoding));
    if (gz === undefined) return origEnd(chunk, encoding, cb);
    if (done !== undefined) r.once('finish', done);
    if (data === undefined || data === null) gz.end();
    else gz.end(data as Buffer, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8');
    return res;
  };

  function eligible(response: HttpResponse, length: number | undefined): boolean {
    const status = response.statusCode;
    if (status < 200 || status === 204 || status === 206 || status === 304) return false;
    if (response.getHeader('Content-Encoding') !== undefined) return false;
    if (response.getHeader('Content-Range') !== undefined) return false;
    const cacheControl = response.getHeader('Cache-Control');
    if (typeof cacheControl === 'string' && /\bno-transform\b/i.test(cacheControl)) return false;
    const type = response.getHeader('Content-Type');
    if (!compressibleType(typeof type === 'string' ? type : undefined)) return false;
    const declared = Number(response.getHeader('Content-Length'));
    const size = length ?? (Number.isFinite(declared) && response.getHeader('Content-Length') !== undefined ? declared : undefined);
    if (size !== undefined && size < MIN_GZIP_SIZE) return false;
    return req.method !== 'HEAD';
  }
}

function applyHeaders(res: HttpResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    // Either [[name, value], …] or the flat raw form [name, value, name, value, …].
    if (headers.every((h) => Array.isArray(h))) for (const [n, v] of headers as Array<[string, string]>) res.setHeader(n, v);
    else for (let i = 0; i + 1 < headers.length; i += 2) res.setHeader(String(headers[i]), String(headers[i + 1]));
    return;
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | number>)) res.setHeader(name, value);
}

function byteLength(data: unknown, encoding: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8');
  if (data instanceof Uint8Array) return data.byteLength;
  return 0;
}

function appendVary(res: HttpResponse, name: string): void {
  const current = res.getHeader('Vary');
  const text = Array.isArray(current) ? current.join(', ') : current === undefined ? '' : String(current);
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.some((p) => p === '*' || p.toLowerCase() === name.toLowerCase())) return;
  res.setHeader('Vary', [...parts, name].join(', '));
}

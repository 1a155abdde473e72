import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeToResponse, type HttpHandler, type HttpRequest, type HttpResponse, type Middleware } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import type { StaticConfig } from './config.js';
import { StrongEtagCache, noneMatch, weakEtag, type FileStamp } from './etag.js';
import { contentTypeFor } from './mime.js';
import { parseRange } from './range.js';
import { classifyPath, hasHiddenSegment } from './request-path.js';

interface Found {
  readonly handle: FileHandle;
  readonly stamp: FileStamp;
  readonly mtimeMs: number;
}

/**
 * RoadRunner's `static` middleware: serves a file when the path names one inside the root, and
 * passes everything else (routes, directories, forbidden extensions, dotfiles, missing files) on to
 * PHP. A served file never reaches the access logger, because the chain stops here.
 */
export function staticMiddleware(config: StaticConfig, logger: Logger): Middleware {
  const etags = new StrongEtagCache();
  return (next: HttpHandler): HttpHandler => async (req, res) => {
    const method = req.method ?? 'GET';
    const verdict = classifyPath(req.url ?? '/', config);
    if (verdict.kind === 'forbidden') {
      res.statusCode = 403;
      res.end();
      return;
    }
    if (verdict.kind === 'pass' || (method !== 'GET' && method !== 'HEAD')) {
      await next(req, res);
      return;
    }
    const found = await locate(config.root, verdict.relative, logger);
    if (found === undefined) {
      await next(req, res);
      return;
    }
    try {
      await serve(req, res, config, found, verdict.ext, method === 'HEAD', etags);
    } finally {
      // serve() resolves only once the body stream has finished or failed.
      await found.handle.close().catch(() => undefined);
    }
  };
}

/**
 * Opens `relative` under `root` only if its real path (all symlinks resolved) is a regular file
 * inside the root and not hidden. Anything else is "not found" and goes to PHP.
 */
async function locate(root: string, rel: string, logger: Logger): Promise<Found | undefined> {
  let real: string;
  try {
    real = await realpath(join(root, rel));
  } catch (err) {
    if (logger.isEnabled('debug')) logger.debug('no such file or directory', { error: String(err) });
    return undefined;
  }
  const inside = relative(root, real);
  if (real === root || !real.startsWith(root + sep) || hasHiddenSegment(inside.split(sep))) {
    logger.warn('static file resolves outside the root or to a hidden file; passing to the worker', { path: rel });
    return undefined;
  }
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: if the last component became a symlink after realpath, refuse instead of following.
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (logger.isEnabled('debug')) logger.debug('cannot open static file', { path: rel, error: String(err) });
    return undefined;
  }
  const st = await handle.stat({ bigint: true });
  if (!st.isFile()) {
    // Directories go to PHP (RoadRunner); FIFOs and devices are never read.
    await handle.close();
    return undefined;
  }
  return { handle, stamp: { path: real, size: st.size, mtimeNs: st.mtimeNs, ino: st.ino }, mtimeMs: Number(st.mtimeMs) };
}

async function serve(
  req: HttpRequest, res: HttpResponse, config: StaticConfig, found: Found, ext: string, head: boolean, etags: StrongEtagCache,
): Promise<void> {
  for (const [name, value] of Object.entries(config.request)) req.headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(config.response)) res.setHeader(name, value);

  const size = Number(found.stamp.size);
  // HTTP dates have second precision; comparisons must use the same truncation.
  const mtimeSec = Math.floor(found.mtimeMs / 1000);
  const lastModified = new Date(mtimeSec * 1000).toUTCString();
  let etag: string | undefined;
  if (config.calculateEtag) {
    etag = config.weak ? weakEtag(found.stamp) : await etags.get(found.stamp, found.handle);
    res.setHeader('ETag', etag);
  }
  res.setHeader('Last-Modified', lastModified);
  res.setHeader('Accept-Ranges', 'bytes');

  if (notModified(req, etag, mtimeSec)) {
    res.statusCode = 304;
    res.end();
    return;
  }

  res.setHeader('Content-Type', contentTypeFor(ext));
  const ifRange = header(req, 'if-range');
  const rangeApplies = ifRange === undefined || ifRange === etag && !ifRange.startsWith('W/') || ifRange === lastModified;
  const range = rangeApplies ? parseRange(header(req, 'range'), size) : { kind: 'full' as const };
  if (range.kind === 'unsatisfiable') {
    res.statusCode = 416;
    res.setHeader('Content-Range', `bytes */${size}`);
    res.end();
    return;
  }
  let start = 0;
  let end = size - 1;
  if (range.kind === 'partial') {
    ({ start, end } = range);
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  } else {
    res.statusCode = 200;
  }
  res.setHeader('Content-Length', String(end - start + 1));
  if (head || size === 0) {
    res.end();
    return;
  }
  await pipeFile(found.handle, start, end, res);
}

function notModified(req: HttpRequest, etag: string | undefined, mtimeSec: number): boolean {
  const inm = header(req, 'if-none-match');
  // RFC 9110 §13.2.2: If-None-Match, when present, decides alone.
  if (inm !== undefined) return etag !== undefined && noneMatch(inm, etag);
  const ims = header(req, 'if-modified-since');
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && mtimeSec * 1000 <= since;
}

function header(req: HttpRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Streams [start, end] of the file; resolves when the response is finished or torn down.
 * The stream reads through the FileHandle, never a bare descriptor: destroy() closes what the
 * stream reads from (autoClose only governs the end of the stream), and a bare number closed
 * there and again by the caller's handle.close() closed whatever socket or pipe had been given
 * that number in between. A FileHandle closes its descriptor once, after its pending reads.
 */
function pipeFile(handle: FileHandle, start: number, end: number, res: HttpResponse): Promise<void> {
  const stream = handle.createReadStream({ start, end, autoClose: false, emitClose: false, highWaterMark: 64 * 1024 });
  return pipeToResponse(stream, res);
}

import { createReadStream } from 'node:fs';
import { pipeToResponse, type HttpHandler, type HttpRequest, type HttpResponse, type Middleware } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import { resolveTarget } from './resolve-target.js';

const HEADER = 'X-Sendfile';

type Fn = (...args: unknown[]) => unknown;

/**
 * RoadRunner's `sendfile` middleware: when PHP's response carries `X-Sendfile: <path>`, the header is
 * removed, PHP's body is discarded, and the file is streamed instead (PHP's status and other headers
 * are kept). Responses without the header pass through untouched, streaming included: the check
 * happens once, when PHP's headers go out.
 */
export function sendfileMiddleware(workDir: string, logger: Logger): Middleware {
  return (next: HttpHandler): HttpHandler => async (req, res) => {
    const target = intercept(res);
    await next(req, res);
    const path = target.path();
    if (path !== undefined) await sendFile(path, workDir, req, res, target.restore, logger);
  };
}

/** Patches writeHead/write/end until PHP first sends something; keeps them patched only for X-Sendfile. */
function intercept(res: HttpResponse): { path(): string | undefined; restore(): void } {
  const r = res as unknown as Record<'writeHead' | 'write' | 'end', Fn>;
  const originals = { writeHead: r.writeHead, write: r.write, end: r.end };
  let decided = false;
  let path: string | undefined;
  const restore = (): void => {
    r.writeHead = originals.writeHead;
    r.write = originals.write;
    r.end = originals.end;
  };
  const decide = (): boolean => {
    if (!decided) {
      decided = true;
      const value = res.getHeader(HEADER);
      if (value !== undefined && String(value) !== '') {
        path = String(Array.isArray(value) ? value[0] : value);
        res.removeHeader(HEADER);
      } else {
        restore();
      }
    }
    return path !== undefined;
  };
  r.writeHead = (...args: unknown[]) => {
    const [status, second, third] = args;
    const headers = typeof second === 'string' ? third : second;
    if (typeof status === 'number') res.statusCode = status;
    if (headers !== undefined && headers !== null && typeof headers === 'object') {
      for (const [name, value] of Array.isArray(headers) ? pairs(headers) : Object.entries(headers as Record<string, string>)) res.setHeader(name, value);
    }
    return decide() ? res : originals.writeHead.call(res, res.statusCode, ...(typeof second === 'string' ? [second] : []));
  };
  r.write = (...args: unknown[]) => {
    if (!decide()) return originals.write.apply(res, args);
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (cb !== undefined) queueMicrotask(cb);
    return true;
  };
  r.end = (...args: unknown[]) => {
    if (!decide()) return originals.end.apply(res, args);
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (cb !== undefined) queueMicrotask(cb);
    return res;
  };
  return { path: () => path, restore };
}

async function sendFile(value: string, workDir: string, req: HttpRequest, res: HttpResponse, restore: () => void, logger: Logger): Promise<void> {
  restore();
  const target = await resolveTarget(value, workDir);
  if (target.kind !== 'file') {
    logger.warn('X-Sendfile refused', { path: value, reason: target.reason });
    res.statusCode = target.kind === 'forbidden' ? 403 : 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.removeHeader('Content-Length');
    res.end(target.kind === 'forbidden' ? '' : 'not found\n');
    return;
  }
  if (res.getHeader('Content-Type') === undefined) res.setHeader('Content-Type', 'application/octet-stream');
  if (res.getHeader('Last-Modified') === undefined) res.setHeader('Last-Modified', target.mtime.toUTCString());
  res.setHeader('Content-Length', String(target.size));
  if (req.method === 'HEAD' || target.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(target.path, { highWaterMark: 256 * 1024 });
  await pipeToResponse(stream, res, (err) => logger.error('X-Sendfile read failed', { path: target.path, error: String(err) }));
}

function pairs(list: unknown[]): Array<[string, string]> {
  if (list.every((x) => Array.isArray(x))) return list as Array<[string, string]>;
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < list.length; i += 2) out.push([String(list[i]), String(list[i + 1])]);
  return out;
}

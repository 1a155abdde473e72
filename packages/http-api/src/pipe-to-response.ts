import type { Readable } from 'node:stream';
import type { HttpResponse } from './middleware.js';

/**
 * Streams `source` into `res` and resolves once the response is finished or the client is gone;
 * `source` is destroyed then (a file stream closes its file). It never rejects: a read error is
 * passed to `onError` and the connection is dropped, the only signal left once headers are out.
 *
 * Middleware that answers with a stream (static, X-Sendfile) must not outlive its request: the http
 * plugin's drain waits for every handler, and a handler left waiting keeps its file open. A bare
 * `source.pipe(res)` that waits for `close`/`finish` does exactly that when the client left during
 * an earlier await (realpath, stat): `close` was emitted before anyone listened, and the pipe waits
 * for a `drain` that never comes.
 * @public
 */
export function pipeToResponse(source: Readable, res: HttpResponse, onError?: (err: Error) => void): Promise<void> {
  return new Promise((resolve) => {
    if (isGone(res)) {
      source.destroy();
      resolve();
      return;
    }
    const done = (): void => {
      res.off('close', done);
      res.off('finish', done);
      source.destroy();
      resolve();
    };
    source.on('error', (err: Error) => {
      onError?.(err);
      res.destroy();
      done();
    });
    res.once('close', done);
    res.once('finish', done);
    source.pipe(res as unknown as NodeJS.WritableStream);
  });
}

/** The client is gone. Http2ServerResponse has no `destroyed`: its stream tells. */
function isGone(res: HttpResponse): boolean {
  if (res.destroyed === true) return true;
  const stream = (res as { stream?: { destroyed?: boolean } }).stream;
  return stream?.destroyed === true;
}

import type { HttpHandler, HttpRequest, HttpResponse, Middleware } from '@rr/http-api';
import type { HttpMetrics } from './metrics.js';

/** The internal marker the http plugin puts on its "no free workers" answer. */
const NO_WORKERS = 'no-workers';

type HeadersArg = Record<string, unknown> | unknown[] | undefined;

/** Removes the marker from a writeHead headers argument; true when it was there with "true". */
function stripMarker(headers: HeadersArg): boolean {
  if (headers === undefined || headers === null) return false;
  if (Array.isArray(headers)) {
    // Either [[name, value], …] or a flat [name, value, …] list.
    if (headers.length > 0 && Array.isArray(headers[0])) {
      const i = (headers as unknown[][]).findIndex((h) => String(h[0]).toLowerCase() === NO_WORKERS);
      if (i < 0) return false;
      const value = String((headers as unknown[][])[i]?.[1]);
      headers.splice(i, 1);
      return value === 'true';
    }
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === NO_WORKERS) {
        const value = String(headers[i + 1]);
        headers.splice(i, 2);
        return value === 'true';
      }
    }
    return false;
  }
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === NO_WORKERS) {
      const value = String(headers[key]);
      delete headers[key];
      return value === 'true';
    }
  }
  return false;
}

/**
 * Watches the response for the `No-Workers: true` marker. RoadRunner sets it after WriteHeader so
 * clients never see it; here it is taken out of the response headers before they are sent, for
 * the same result.
 */
function watchNoWorkers(res: HttpResponse): () => boolean {
  let seen = false;
  const target = res as unknown as { writeHead: (...args: unknown[]) => unknown };
  const original = target.writeHead;
  target.writeHead = function writeHead(this: unknown, ...args: unknown[]): unknown {
    if (String(res.getHeader(NO_WORKERS) ?? '') === 'true') seen = true;
    if (res.hasHeader(NO_WORKERS)) res.removeHeader(NO_WORKERS);
    const headersArg = typeof args[1] === 'string' ? args[2] : args[1];
    if (stripMarker(headersArg as HeadersArg)) seen = true;
    return original.apply(this, args);
  };
  return () => seen;
}

/**
 * RoadRunner's `http_metrics` middleware: counts requests and their durations by status, the
 * requests in flight, and the answers given because no worker was free. A response whose headers
 * were never sent is labelled `-1`, as in RoadRunner.
 */
export function httpMetricsMiddleware(metrics: HttpMetrics): Middleware {
  return (next: HttpHandler): HttpHandler => async (req: HttpRequest, res: HttpResponse) => {
    const startedAt = performance.now();
    const noWorkers = watchNoWorkers(res);
    metrics.queue.inc();
    try {
      await next(req, res);
    } finally {
      metrics.queue.dec();
      const status = res.headersSent ? String(res.statusCode) : '-1';
      if (noWorkers()) metrics.noFreeWorkers.inc();
      metrics.requests.inc({ status });
      metrics.duration.observe({ status }, (performance.now() - startedAt) / 1000);
    }
  };
}

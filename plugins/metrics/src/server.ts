import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '@rr/plugin-api';
import type { TcpAddress } from '@rr/plugin-api';

/** Stable codes of the errors the metrics plugin raises; each has an entry in docs/errors.md. */
export const MetricsErrorCodes = {
  /** `metrics.address` could not be bound (in use, no permission, unknown host). */
  LISTEN: 'RR_ERR_METRICS_LISTEN',
} as const;

export interface MetricsServer {
  readonly port: number;
  close(signal: AbortSignal): Promise<void>;
}

/**
 * The scrape endpoint. Like RoadRunner's promhttp handler it answers on every path, and any
 * method: scrapers use GET /metrics.
 */
export async function startMetricsServer(registry: Registry, listen: TcpAddress, address: string, log: Logger): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        log.error('failed to gather metrics', { error: String((err as Error)?.message ?? err) });
        const body = `An error has occurred while gathering metrics:\n\n${String((err as Error)?.message ?? err)}\n`;
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const e = new Error(`metrics: cannot listen on ${address} (metrics.address): ${err.code ?? ''} ${err.message}. Free the port or pick another address.`) as Error & { code: string; cause: unknown };
      e.code = MetricsErrorCodes.LISTEN;
      e.cause = err;
      reject(e);
    };
    server.once('error', onError);
    server.listen({ port: listen.port, ...(listen.host === undefined ? {} : { host: listen.host }) }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: (signal) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // A scraper holding a connection open must not delay shutdown past the deadline.
      const force = () => server.closeAllConnections();
      if (signal.aborted) force(); else signal.addEventListener('abort', force, { once: true });
    }),
  };
}

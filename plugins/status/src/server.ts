import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@rr/plugin-api';
import type { JobsPipelineReport, JobsStateSource } from '@rr/status-api';
import type { CheckRegistry } from './checks.js';
import type { StatusConfig } from './config.js';
import { runChecks } from './report.js';

/** Stable codes of the errors the status plugin raises; each has an entry in docs/errors.md. */
export const StatusErrorCodes = {
  /** `status.address` could not be bound (in use, no permission, unknown host). */
  LISTEN: 'RR_ERR_STATUS_LISTEN',
} as const;

export const SHUTTING_DOWN = 'service is shutting down';

export interface StatusServer {
  readonly port: number;
  /** From now on every endpoint answers "service is shutting down". */
  shutDown(): void;
  close(signal: AbortSignal): Promise<void>;
}

export interface StatusServerOptions {
  readonly config: StatusConfig;
  readonly checks: CheckRegistry;
  readonly jobs: readonly JobsStateSource[];
  readonly log: Logger;
}

/** Go's http.Error: plain text plus a newline, never sniffed. */
function textError(res: ServerResponse, status: number, text: string): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  // What Go's content sniffing makes of a JSON array written without a Content-Type.
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** RoadRunner's status ServeMux: exactly /health, /ready and /jobs; anything else is 404. */
export async function startStatusServer(opts: StatusServerOptions): Promise<StatusServer> {
  const { config, checks, jobs, log } = opts;
  const unavailable = config.unavailableStatusCode;
  let shuttingDown = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://status');
    const path = url.pathname;
    if (path !== '/health' && path !== '/ready' && path !== '/jobs') {
      textError(res, 404, '404 page not found');
      return;
    }
    if (shuttingDown) {
      // A load balancer keeps the process alive (/health) but sends it nothing new (/ready).
      textError(res, path === '/health' ? 200 : 503, SHUTTING_DOWN);
      return;
    }
    if (path === '/jobs') {
      await answerJobs(res);
      return;
    }
    const registry = path === '/health' ? checks.health : checks.ready;
    const { status, reports } = await runChecks(registry, url.searchParams.getAll('plugin'), unavailable, log);
    json(res, status, reports);
  }

  async function answerJobs(res: ServerResponse): Promise<void> {
    if (jobs.length === 0) {
      textError(res, unavailable, 'jobs plugin not found');
      return;
    }
    const all: JobsPipelineReport[] = [];
    try {
      for (const source of jobs) {
        for (const p of await source.jobsState()) {
          all.push({
            pipeline: p.pipeline, priority: p.priority, ready: p.ready, queue: p.queue, active: p.active,
            delayed: p.delayed, reserved: p.reserved, driver: p.driver, error_message: p.error_message,
          });
        }
      }
    } catch (err) {
      log.error('jobs state', { error: err instanceof Error ? err.message : String(err) });
      textError(res, unavailable, 'jobs plugin not found');
      return;
    }
    json(res, 200, all);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('status handler failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) textError(res, 500, 'internal server error');
      else res.destroy();
    });
  });
  server.headersTimeout = config.checkTimeoutMs;
  server.requestTimeout = config.checkTimeoutMs;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const e = new Error(`status: cannot listen on ${config.address} (status.address): ${err.code ?? ''} ${err.message}. Free the port or pick another address.`) as Error & { code: string; cause: unknown };
      e.code = StatusErrorCodes.LISTEN;
      e.cause = err;
      reject(e);
    };
    server.once('error', onError);
    server.listen({ port: config.listen.port, ...(config.listen.host === undefined ? {} : { host: config.listen.host }) }, () => {
      server.off('error', onError);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    shutDown: () => { shuttingDown = true; },
    close: (signal) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      const force = () => server.closeAllConnections();
      if (signal.aborted) force(); else signal.addEventListener('abort', force, { once: true });
    }),
  };
}

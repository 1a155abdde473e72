import { readFileSync } from 'node:fs';
import { httpMiddlewareToken, type HttpHandler, type Middleware } from '@rr/http-api';
import { definePlugin } from '@rr/plugin-api';
import { poolConfigSchema, poolFactoryToken, type Pool } from '@rr/pool-api';
import { informerSourcesToken, resetterTargetsToken } from '@rr/rpc-api';
import { accessLogMiddleware, maxRequestSizeMiddleware } from './access-log.js';
import { compileHttpConfig, type HttpConfig } from './config.js';
import { Listeners } from './listeners.js';
import { startFcgi } from './fcgi/index.js';
import { createPhpHandler } from './php-handler.js';

const schema = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as { properties: Record<string, unknown> };
// The pool block is owned by @rr/pool-api: validate against its current schema (schema.json keeps a
// copy for the stitched editor schema; a test checks they match).
schema.properties['pool'] = poolConfigSchema;

/**
 * Wraps `inner` as RoadRunner does: max-request-size, then the access log, then the user's list
 * applied first to last, so the last listed middleware is the outermost.
 */
export function buildChain(inner: HttpHandler, cfg: HttpConfig, registry: ReadonlyMap<string, Middleware>, warn: (name: string) => void, log: Parameters<typeof accessLogMiddleware>[0]): HttpHandler {
  let h = maxRequestSizeMiddleware(cfg.maxRequestSize)(inner);
  h = accessLogMiddleware(log, cfg.accessLogs)(h);
  for (const name of cfg.middleware) {
    const mw = registry.get(name);
    if (mw === undefined) warn(name);
    else h = mw(h);
  }
  return h;
}

/**
 * RoadRunner's `http` plugin: HTTP/1.1, HTTPS (h2 by ALPN) and h2c listeners whose requests run on
 * the `http` worker pool. Enabled when the `http` section exists.
 */
export const httpPlugin = definePlugin({
  name: 'http',
  kernel: '^0.1.0',
  description: 'HTTP, HTTPS and HTTP/2 server running requests on PHP workers',
  deps: { pools: poolFactoryToken },
  contributes: [informerSourcesToken, resetterTargetsToken],
  collects: [httpMiddlewareToken],
  config: {
    schema,
    compile: (raw, view): HttpConfig => compileHttpConfig(raw, view),
  },
  init(ctx) {
    const cfg = ctx.config;
    const log = ctx.logger;
    let pool: Pool | undefined;
    const listeners = new Listeners(cfg, log);

    ctx.contribute(informerSourcesToken, { plugin: 'http', workers: () => pool?.workers() ?? [] });
    ctx.contribute(resetterTargetsToken, {
      plugin: 'http',
      async reset() {
        log.info('reset signal was received');
        if (pool !== undefined) await pool.reset();
        log.info('plugin was successfully reset');
      },
    });

    return {
      async serve() {
        const registry = new Map<string, Middleware>();
        const leanCapable = new Set<string>();
        for (const c of ctx.collected(httpMiddlewareToken)) {
          registry.set(c.value.name, c.value.middleware);
          if (c.value.lean === true) leanCapable.add(c.value.name);
        }
        // One middleware that needs node's full request/response streams puts the listener on node:http.
        const lean = cfg.middleware.every((name) => leanCapable.has(name) || !registry.has(name));
        log.debug('http/1 engine', { engine: lean ? 'lean' : 'node:http' });
        pool = await ctx.deps.pools.create({ name: 'http', mode: 'http', config: cfg.pool });
        const php = createPhpHandler({ config: cfg, logger: log, pool: () => pool });
        const chain = buildChain(php, cfg, registry, (name) => log.warn('requested middleware does not exist', { requested: name }), log);
        try {
          const fcgi = cfg.fcgi;
          await listeners.start(chain, lean, fcgi === undefined ? undefined : (track, onRequest) => startFcgi(fcgi, cfg.internalErrorCode, track, onRequest));
        } catch (err) {
          listeners.destroyAll();
          throw err;
        }
        for (const b of listeners.bound) {
          if (b.kind === 'fcgi') continue;
          log.debug(b.kind === 'https' ? 'https server was started' : 'http server was started', { address: b.address });
        }
      },
      async drain(signal) {
        listeners.closeListeners();
        await listeners.idle(signal);
      },
      async stop(signal) {
        listeners.closeListeners();
        await listeners.idle(signal);
        if (pool !== undefined) await pool.destroy(signal);
        listeners.destroyAll();
      },
    };
  },
});

/** The addresses actually bound (port 0 resolved); for tests and tools. */
export type { BoundListener } from './listeners.js';

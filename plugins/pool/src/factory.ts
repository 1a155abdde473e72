import { formatRelayDsn } from '@rr/goridge';
import type { Logger } from '@rr/plugin-api';
import type { CreatePoolOptions, Pool, PoolFactory } from '@rr/pool-api';
import type { ServerConfig } from './config.js';
import { PoolError, PoolErrorCodes } from './errors.js';
import { buildWorkerEnv } from './env.js';
import { deathSignalLauncher } from './launcher.js';
import { StaticPool, type StaticPoolOptions } from './pool.js';
import { SocketTransport, pipesTransport } from './transport.js';
import type { WorkerTransport } from './worker.js';

export interface ServerPoolFactoryOptions {
  readonly server: ServerConfig;
  /** `RR_RPC` for workers; undefined when rr has no `rpc` section. */
  readonly rpc: string | undefined;
  /** rr's version, given to workers as RR_VERSION. */
  readonly version: string;
  /** Working directory of workers (the config file's directory). */
  readonly cwd: string;
  /** The `server` logger. */
  readonly logger: Logger;
  /** @default process.env */
  readonly processEnv?: NodeJS.ProcessEnv;
  /** @default deathSignalLauncher() */
  readonly launcher?: readonly string[];
  /** Passed to every pool (tests shorten the stop grace and the backoff). */
  readonly poolDefaults?: Pick<StaticPoolOptions, 'stopTimeoutMs' | 'backoff' | 'random'>;
}

/**
 * The `pool.factory` service: creates one pool per consumer from the `server` section. Socket
 * relays share one listener, opened with the first pool. Every pool created here is destroyed by
 * {@link close} if its owner did not destroy it, so no worker outlives the plugin.
 */
export class ServerPoolFactory implements PoolFactory {
  readonly #o: ServerPoolFactoryOptions;
  readonly #pools = new Set<StaticPool>();
  #transport: Promise<WorkerTransport> | undefined;
  #closed = false;

  constructor(o: ServerPoolFactoryOptions) {
    this.#o = o;
  }

  /** Pools created and not yet closed by {@link close}. */
  get pools(): readonly Pool[] {
    return [...this.#pools];
  }

  async create(options: CreatePoolOptions): Promise<Pool> {
    if (this.#closed) {
      throw new PoolError(PoolErrorCodes.STOPPED, `cannot create pool "${options.name}": the server plugin is stopping (rr is shutting down)`, { pool: options.name });
    }
    const transport = await this.#getTransport();
    const o = this.#o;
    const cfg = options.config;
    if (cfg.prefetch && !cfg.debug && !((cfg.supervisor?.execTtlMs ?? 0) > 0)) {
      // A prefetched request cannot be taken back from a worker's pipe: only exec_ttl frees it.
      o.logger.warn(`pool.prefetch without supervisor.exec_ttl: a request prefetched behind a request that hangs waits as long as it does; set ${options.name}.pool.supervisor.exec_ttl (e.g. 60s) so a hung worker is killed and its prefetched request runs elsewhere`, { pool: options.name });
    }
    const env = buildWorkerEnv({
      base: o.processEnv ?? process.env,
      relay: transport.address,
      rpc: o.rpc,
      serverEnv: o.server.env,
      version: o.version,
      mode: options.mode,
      extra: options.env,
    });
    const pool = await StaticPool.create({
      name: options.name,
      config: options.config,
      argv: options.config.command ?? o.server.command,
      env,
      cwd: o.cwd,
      user: o.server.user,
      transport,
      logger: o.logger,
      launcher: o.launcher ?? deathSignalLauncher(),
      ...o.poolDefaults,
    });
    this.#pools.add(pool);
    return pool;
  }

  #getTransport(): Promise<WorkerTransport> {
    const dsn = this.#o.server.relayDsn;
    if (dsn.kind === 'pipes') return Promise.resolve(pipesTransport);
    this.#transport ??= SocketTransport.listen(dsn, (m) => this.#o.logger.warn(m, { relay: formatRelayDsn(dsn) }));
    // A failed listen is not cached: the next pool may try again.
    this.#transport.catch(() => (this.#transport = undefined));
    return this.#transport;
  }

  /** Destroys every pool still alive (within the signal's deadline) and closes the socket listener. */
  async close(signal: AbortSignal): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#pools].map((p) => p.destroy(signal)));
    this.#pools.clear();
    const t = this.#transport;
    this.#transport = undefined;
    if (t !== undefined) {
      const transport = await t.catch(() => undefined);
      if (transport instanceof SocketTransport) await transport.close();
    }
  }
}

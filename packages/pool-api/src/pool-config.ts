import { ConfigError, GO_DURATION_PATTERN, parseDuration } from '@rr/plugin-api';

/**
 * The common pool block (`http.pool`, `jobs.pool`, `grpc.pool`, …), compiled: defaults filled in,
 * durations in milliseconds. Defaults are RoadRunner's code defaults. @public
 */
export interface PoolConfig {
  /** Overrides `server.command` for this pool (argv, no shell). */
  readonly command?: readonly string[];
  /** @default number of logical CPUs */
  readonly numWorkers: number;
  /** Executions before a worker is replaced; 0 = unlimited. @default 0 */
  readonly maxJobs: number;
  /** Waiting requests allowed; 0 = unlimited. @default 0 */
  readonly maxQueueSize: number;
  /** @default 60000 */
  readonly allocateTimeoutMs: number;
  /** @default 60000 */
  readonly resetTimeoutMs: number;
  /** @default 60000 */
  readonly destroyTimeoutMs: number;
  /** @default 60000 */
  readonly streamTimeoutMs: number;
  /** A fresh worker per request, none kept. @default false */
  readonly debug: boolean;
  /**
   * Send a busy worker its next request before it answers the current one, when every worker is
   * busy and the worker announced support (rr's PHP library does; RoadRunner's do not). rr only, not
   * in RoadRunner. @default false
   */
  readonly prefetch: boolean;
  /** Present only when the `supervisor` block is. */
  readonly supervisor?: SupervisorConfig;
  /** Present only when the `dynamic_allocator` block is. */
  readonly dynamicAllocator?: DynamicAllocatorConfig;
}

/** @public */
export interface SupervisorConfig {
  /** @default 5000 */
  readonly watchTickMs: number;
  /** Soft lifetime limit; 0 = off. */
  readonly ttlMs: number;
  /** Soft idle limit after first use; 0 = off. */
  readonly idleTtlMs: number;
  /** Hard per-request limit: the worker is killed; 0 = off. */
  readonly execTtlMs: number;
  /** Soft RSS limit in MB; 0 = off. */
  readonly maxWorkerMemoryMb: number;
}

/** @public */
export interface DynamicAllocatorConfig {
  /** @default 10 (at most 100) */
  readonly maxWorkers: number;
  /** @default 5 (at most 100) */
  readonly spawnRate: number;
  /** @default 60000 (anything under 1 s becomes 60 s) */
  readonly idleTimeoutMs: number;
}

// The pattern only constrains strings; an integer is nanoseconds (RoadRunner's quirk).
const duration = {
  description: 'Go duration ("30s", "1m", "500ms"); a bare integer is nanoseconds.',
  type: ['string', 'integer'],
  pattern: GO_DURATION_PATTERN,
};

/**
 * Turns a configured command into argv, as RoadRunner does for `server.command` and
 * `<plugin>.pool.command` (no shell, no quoting): a list of two or more items is argv as written; a
 * string is split on commas when it has any (viper's string-to-list rule, which makes Laravel
 * Octane's `-o server.command=php,worker.php` work), otherwise on spaces; a one-item list is split
 * on spaces too. A path containing a comma or a space must therefore be written as a list.
 * @public
 */
export function parseCommand(value: unknown): string[] {
  if (Array.isArray(value)) {
    const items = value.map((v) => String(v));
    return items.length === 1 ? splitSpaces(items[0]!) : items;
  }
  if (typeof value !== 'string') return [];
  if (value.includes(',')) return value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  return splitSpaces(value);
}

function splitSpaces(s: string): string[] {
  return s.split(' ').filter((p) => p !== '');
}

/** JSON Schema (draft 2019-09) of the common pool block; consumers embed it under their `pool` key. @public */
export const poolConfigSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Worker pool settings.',
  properties: {
    command: { description: 'Overrides server.command for this pool.', anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    num_workers: { type: 'integer', minimum: 0, maximum: 500, default: 0, description: 'Workers to keep; 0 = number of CPUs.' },
    max_jobs: { type: 'integer', minimum: 0, default: 0, description: 'Executions before a worker is replaced; 0 = unlimited.' },
    max_queue_size: { type: 'integer', minimum: 0, default: 0, description: 'Waiting requests allowed; 0 = unlimited.' },
    allocate_timeout: { ...duration, default: '60s', description: 'How long a request waits for a free worker.' },
    reset_timeout: { ...duration, default: '60s', description: 'Limit for a pool reset.' },
    destroy_timeout: { ...duration, default: '60s', description: 'Limit for destroying the pool on shutdown.' },
    stream_timeout: { ...duration, default: '60s', description: 'Limit for ending a cancelled stream.' },
    debug: { type: 'boolean', default: false, description: 'A fresh worker per request (no pre-allocation).' },
    prefetch: {
      type: 'boolean',
      default: false,
      description: 'rr only: when every worker is busy, send a worker its next request while it works on the current one (workers on rr\'s PHP library only). Higher throughput; a request can wait behind a slow one.',
    },
    supervisor: {
      type: 'object',
      additionalProperties: false,
      description: 'Worker limits, checked every watch_tick.',
      properties: {
        watch_tick: { ...duration, default: '5s', description: 'Check interval.' },
        ttl: { ...duration, default: 0, description: 'Soft limit on worker lifetime; 0 = off.' },
        idle_ttl: { ...duration, default: 0, description: 'Soft limit on idle time; 0 = off.' },
        exec_ttl: { ...duration, default: 0, description: 'Hard per-request limit (worker killed); 0 = off.' },
        max_worker_memory: { type: 'integer', minimum: 0, default: 0, description: 'Soft RSS limit in MB; 0 = off.' },
      },
    },
    dynamic_allocator: {
      type: 'object',
      additionalProperties: false,
      description: 'Extra workers spawned when none is free.',
      properties: {
        max_workers: { type: 'integer', minimum: 0, default: 10, description: 'At most this many extra workers (capped at 100).' },
        spawn_rate: { type: 'integer', minimum: 0, default: 5, description: 'Extra workers per NoFreeWorkers event (capped at 100).' },
        idle_timeout: { ...duration, default: '1m', description: 'Extra workers idle this long are removed.' },
      },
    },
  },
} as const;

type Raw = Record<string, unknown>;

/**
 * Compiles a validated pool block. `path` is where the block sits (e.g. `http.pool`), for errors.
 * @public
 */
export function compilePoolConfig(raw: unknown, path: string, cpus: number): PoolConfig {
  const r = (raw ?? {}) as Raw;
  const ms = (key: string, fallback: number, from: Raw = r, prefix = path): number =>
    from[key] === undefined ? fallback : parseDuration(from[key], `${prefix}.${key}`);
  const command = r['command'] === undefined ? undefined : parseCommand(r['command']);
  if (command !== undefined && command.length === 0) throw new ConfigError(`${path}.command`, 'a non-empty command', r['command']);
  const numWorkers = Number(r['num_workers'] ?? 0) || cpus;
  if (numWorkers > 500) throw new ConfigError(`${path}.num_workers`, "at most 500 (number of workers can't be more than 500)", numWorkers);
  const sup = r['supervisor'] as Raw | undefined;
  const dyn = r['dynamic_allocator'] as Raw | undefined;
  const dynIdle = dyn === undefined ? 0 : ms('idle_timeout', 60_000, dyn, `${path}.dynamic_allocator`);
  return {
    ...(command !== undefined ? { command } : {}),
    numWorkers,
    maxJobs: Number(r['max_jobs'] ?? 0),
    maxQueueSize: Number(r['max_queue_size'] ?? 0),
    allocateTimeoutMs: ms('allocate_timeout', 60_000),
    resetTimeoutMs: ms('reset_timeout', 60_000),
    destroyTimeoutMs: ms('destroy_timeout', 60_000),
    streamTimeoutMs: ms('stream_timeout', 60_000),
    debug: r['debug'] === true,
    prefetch: r['prefetch'] === true,
    ...(sup !== undefined ? {
      supervisor: {
        watchTickMs: ms('watch_tick', 5_000, sup, `${path}.supervisor`) || 5_000,
        ttlMs: ms('ttl', 0, sup, `${path}.supervisor`),
        idleTtlMs: ms('idle_ttl', 0, sup, `${path}.supervisor`),
        execTtlMs: ms('exec_ttl', 0, sup, `${path}.supervisor`),
        maxWorkerMemoryMb: Number(sup['max_worker_memory'] ?? 0),
      },
    } : {}),
    ...(dyn !== undefined ? {
      dynamicAllocator: {
        maxWorkers: Math.min(100, Number(dyn['max_workers'] ?? 10) || 10),
        spawnRate: Math.min(100, Number(dyn['spawn_rate'] ?? 5) || 5),
        idleTimeoutMs: dynIdle < 1_000 ? 60_000 : dynIdle,
      },
    } : {}),
  };
}

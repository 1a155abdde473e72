import { defineToken } from '@rr/plugin-api';
import type { PoolConfig } from './pool-config.js';

/**
 * Codec of a payload's context, carried in the goridge frame flags: what the worker and the server
 * agree the context bytes are. @public
 */
export type PayloadCodec = 'raw' | 'json' | 'proto';

/** What travels to a worker and back: a context (headers/metadata) and a body. @public */
export interface Payload {
  readonly context: Uint8Array;
  readonly body: Uint8Array;
  /** @default 'raw' */
  readonly codec?: PayloadCodec;
}

/**
 * What {@link Pool.exec} sends: a {@link Payload} whose context may also be a string, which the
 * pool UTF-8 encodes straight into the request frame (no intermediate Buffer per request). @public
 */
export interface ExecPayload {
  readonly context: Uint8Array | string;
  readonly body: Uint8Array;
  /** @default 'raw' */
  readonly codec?: PayloadCodec;
}

/** @public */
export interface ExecOptions {
  /** Aborting cancels waiting for a worker; a request already sent ends the stream (STOP frame). */
  readonly signal?: AbortSignal;
  /**
   * Receives every frame of a streamed response (the worker set STREAM) as it arrives, the last one
   * included, one at a time: a returned promise is awaited before the next frame is handed over.
   * It is not called for an ordinary single-frame response. When it was called, `exec` resolves
   * with the final frame (already passed to it) once it has consumed every frame. Throwing (or
   * rejecting) means the consumer cannot take more, like an abort: the stream is stopped and `exec`
   * rejects with that error. Without it, streamed bodies are concatenated into the result (context
   * of the first frame).
   */
  readonly onChunk?: (chunk: Payload) => void | Promise<void>;
  /**
   * Takes the request back while it still waits for a worker: aborting removes it from the queue and
   * `exec` rejects with RR_ERR_POOL_ABORTED; nothing of it ever reached a worker. Once a worker took
   * the request (even one that then asked to be restarted and left it to another) aborting has no
   * effect: it runs to completion and `exec` settles as usual. Unlike `signal`, it never stops a
   * running request, so a caller can hand work ahead to the pool and take back exactly what did not
   * start (the jobs plugin keeps one job queued per worker and withdraws it on pause). One signal
   * may be shared by many requests.
   */
  readonly withdraw?: AbortSignal;
}

/** Worker states, numbered as RoadRunner reports them in `informer.Workers`. @public */
export const WorkerState = {
  inactive: 0, ready: 1, working: 2, invalid: 3, stopping: 4, stopped: 5, destroyed: 6,
  maxJobsReached: 7, errored: 8, idleTTLReached: 9, ttlReached: 10, maxMemoryReached: 11, execTTLReached: 12,
} as const;
/** @public */
export type WorkerStateName = keyof typeof WorkerState;

/** One worker as `rr workers` and `informer.Workers` show it. @public */
export interface WorkerInfo {
  readonly pid: number;
  readonly status: WorkerStateName;
  /** Requests this worker has executed. */
  readonly numExecs: number;
  /** Unix time in milliseconds. */
  readonly createdAt: number;
  /** Resident set size in bytes (0 when unknown). */
  readonly memoryBytes: number;
  readonly cpuPercent: number;
  readonly command: string;
}

/** A named pool of PHP workers owned by one plugin. @public */
export interface Pool {
  readonly name: string;
  /**
   * Runs one request on a free worker (requests wait in a FIFO queue when all are busy). Rejects with
   * an error whose `code` says why:
   * - RR_ERR_POOL_NO_FREE_WORKERS (nothing free within allocate_timeout), RR_ERR_POOL_QUEUE_FULL
   *   (max_queue_size), RR_ERR_POOL_STOPPED (destroyed), RR_ERR_POOL_ABORTED (options.signal fired),
   *   RR_ERR_POOL_EMPTY_PAYLOAD (context and body both empty), RR_ERR_POOL_BOOT (debug mode: the
   *   fresh worker could not start);
   * - RR_ERR_WORKER_SOFT_ERROR (the worker called error(); it stays alive), RR_ERR_WORKER_CRASHED
   *   (it died mid-request), RR_ERR_WORKER_EXEC_TTL (killed at exec_ttl), RR_ERR_WORKER_PROTOCOL
   *   (garbage on its relay), RR_ERR_WORKER_RESTART_LOOP (every worker asked to restart instead of
   *   answering). A worker asking to restart (PHP stop()) is otherwise invisible: the request is
   *   re-run on another worker.
   * Worker errors carry `pid` and, for deaths, `exitCode`/`signal` and the `stderr` tail.
   */
  exec(payload: ExecPayload, options?: ExecOptions): Promise<Payload>;
  workers(): WorkerInfo[];
  /** Number of requests waiting for a worker. */
  queueSize(): number;
  /** Replaces every worker; in-flight requests finish first, nothing is dropped. */
  reset(): Promise<void>;
  /** Stops every worker (busy ones after their request, within the signal's deadline, then SIGKILL). */
  destroy(signal: AbortSignal): Promise<void>;
}

/** @public */
export interface CreatePoolOptions {
  /** The owning plugin (`http`, `jobs`, …): names the pool in logs and informer. */
  readonly name: string;
  /** `RR_MODE` given to workers. */
  readonly mode: string;
  readonly config: PoolConfig;
  /** Extra environment for this pool's workers, after `server.env`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Creates pools from the `server` section's command and environment. @public */
export interface PoolFactory {
  /** Resolves once `num_workers` workers are spawned and past the handshake. */
  create(options: CreatePoolOptions): Promise<Pool>;
}

/** Provided by the `pool` plugin (configured by RoadRunner's `server` section). @public */
export const poolFactoryToken = defineToken<PoolFactory>('pool.factory');

import { RrError } from '@rr/plugin-api';

/**
 * Every error code the `server` plugin and its pools raise. Consumers match on `err.code`; each code
 * has an entry in docs/errors.md.
 */
export const PoolErrorCodes = {
  /** No worker became free within `allocate_timeout`. */
  NO_FREE_WORKERS: 'RR_ERR_POOL_NO_FREE_WORKERS',
  /** `max_queue_size` requests were already waiting. */
  QUEUE_FULL: 'RR_ERR_POOL_QUEUE_FULL',
  /** The pool is destroyed (rr is stopping) and takes no more requests. */
  STOPPED: 'RR_ERR_POOL_STOPPED',
  /** Workers could not be started (first boot, reset, or a debug-mode worker). */
  BOOT: 'RR_ERR_POOL_BOOT',
  /** The caller aborted the request (its AbortSignal fired) before it completed. */
  ABORTED: 'RR_ERR_POOL_ABORTED',
  /** A payload with an empty context and an empty body: PHP reads that as "terminate". */
  EMPTY_PAYLOAD: 'RR_ERR_POOL_EMPTY_PAYLOAD',
  /** The worker answered with an error frame (PHP `$worker->error()`); the worker stays. */
  SOFT_ERROR: 'RR_ERR_WORKER_SOFT_ERROR',
  /** The worker exited, was killed, or closed its relay while executing the request. */
  CRASHED: 'RR_ERR_WORKER_CRASHED',
  /** The request ran longer than `supervisor.exec_ttl`; the worker was killed. */
  EXEC_TTL: 'RR_ERR_WORKER_EXEC_TTL',
  /** The worker sent something that is not a valid answer (garbage on STDOUT, a malformed frame). */
  PROTOCOL: 'RR_ERR_WORKER_PROTOCOL',
  /** Every worker that got the request asked to be restarted (PHP `$worker->stop()`) instead of answering. */
  RESTART_LOOP: 'RR_ERR_WORKER_RESTART_LOOP',
  /** `server.on_init.command` failed while `exit_on_error` is set. */
  ON_INIT: 'RR_ERR_SERVER_ON_INIT',
} as const;

export type PoolErrorCode = (typeof PoolErrorCodes)[keyof typeof PoolErrorCodes];

/** Extra facts on a pool error, for logs and for consumers that want more than the message. */
export interface PoolErrorDetails {
  cause?: unknown;
  /** The pool's owner (`http`, `jobs`, …). */
  pool?: string;
  /** The worker involved, when one was. */
  pid?: number;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** The last bytes the worker wrote to STDERR. */
  stderr?: string;
}

/** An error of a pool or worker. `code` is one of {@link PoolErrorCodes}. */
export class PoolError extends RrError {
  readonly pool: string | undefined;
  readonly pid: number | undefined;
  readonly exitCode: number | null | undefined;
  readonly signal: NodeJS.Signals | null | undefined;
  readonly stderr: string | undefined;

  constructor(code: PoolErrorCode, message: string, details: PoolErrorDetails = {}) {
    super(code, message, details.cause === undefined ? {} : { cause: details.cause });
    this.name = 'PoolError';
    this.pool = details.pool;
    this.pid = details.pid;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderr = details.stderr;
  }
}

/** Formats a STDERR tail for an error message: trimmed, or a note that there was none. */
export function stderrNote(tail: string): string {
  const t = tail.trim();
  return t === '' ? 'it wrote nothing to STDERR' : `its last STDERR output was:\n${t}`;
}

/** "exited with code 3" / "was killed by signal SIGKILL" / "is still running". */
export function exitNote(code: number | null | undefined, signal: NodeJS.Signals | null | undefined): string {
  if (signal) return `was killed by signal ${signal}`;
  if (code !== null && code !== undefined) return `exited with code ${code}`;
  return 'closed its relay';
}

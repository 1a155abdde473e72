import type { Logger } from '@rr/plugin-api';

/** Bytes of STDERR kept per worker for error messages. */
export const STDERR_TAIL_CHARS = 4096;
/** Bytes of STDERR logged per worker per second; the rest is counted and reported, not logged. */
export const STDERR_LOG_BUDGET = 1024 * 1024;

/**
 * Where a worker's STDERR goes: each chunk is one `server` log record at info level, as RoadRunner
 * logs it (raw, not split into lines), and the last few KB are kept for error messages. A worker
 * flooding STDERR is rate limited (the excess is dropped with a warning once a second) so that it
 * cannot swamp the log or rr's memory.
 */
export class StderrSink {
  #tail = '';
  #windowStart = 0;
  #logged = 0;
  #dropped = 0;

  constructor(
    private readonly logger: Logger,
    private readonly pid: number,
  ) {}

  get tail(): string {
    return this.#tail;
  }

  readonly write = (chunk: string): void => {
    this.#tail = this.#tail.length + chunk.length <= STDERR_TAIL_CHARS
      ? this.#tail + chunk
      : (this.#tail + chunk.slice(-STDERR_TAIL_CHARS)).slice(-STDERR_TAIL_CHARS);
    const now = Date.now();
    if (now - this.#windowStart >= 1000) {
      if (this.#dropped > 0) {
        this.logger.warn('worker STDERR output was rate limited', { pid: this.pid, dropped_bytes: this.#dropped, limit_bytes_per_second: STDERR_LOG_BUDGET });
      }
      this.#windowStart = now;
      this.#logged = 0;
      this.#dropped = 0;
    }
    if (this.#logged >= STDERR_LOG_BUDGET) {
      this.#dropped += chunk.length;
      return;
    }
    this.#logged += chunk.length;
    this.logger.info(chunk);
  };
}

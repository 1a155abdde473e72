import type { Logger } from '@rr/plugin-api';

/** Characters of STDERR kept per worker for error messages. */
export const STDERR_TAIL_CHARS = 4096;
/** Characters of STDERR logged per worker per second; the rest is counted and reported, not logged. */
export const STDERR_LOG_BUDGET = 1024 * 1024;

/**
 * Where a worker's STDERR goes: each chunk is one `server` log record at info level, as RoadRunner
 * logs it (raw, not split into lines), and the last few KB are kept for error messages. A worker
 * flooding STDERR is rate limited: past the budget of a one-second window the output is dropped and
 * a warning says how much, so that one worker cannot swamp the log or rr's memory.
 */
export class StderrSink {
  #tail = '';
  #windowStart = 0;
  #logged = 0;
  #dropped = 0;
  #report: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly pid: number,
  ) {}

  get tail(): string {
    return this.#tail;
  }

  readonly write = (chunk: string): void => {
    this.#tail = chunk.length >= STDERR_TAIL_CHARS
      ? chunk.slice(-STDERR_TAIL_CHARS)
      : (this.#tail + chunk).slice(-STDERR_TAIL_CHARS);
    const now = Date.now();
    if (now - this.#windowStart >= 1000) {
      this.#flushReport();
      this.#windowStart = now;
      this.#logged = 0;
    }
    if (this.#logged >= STDERR_LOG_BUDGET) {
      this.#dropped += chunk.length;
      if (this.#report === undefined) {
        this.#report = setTimeout(() => this.#flushReport(), Math.max(0, this.#windowStart + 1000 - now));
        this.#report.unref();
      }
      return;
    }
    this.#logged += chunk.length;
    this.logger.info(chunk);
  };

  #flushReport(): void {
    if (this.#report !== undefined) clearTimeout(this.#report);
    this.#report = undefined;
    if (this.#dropped === 0) return;
    this.logger.warn('worker STDERR output was rate limited', { pid: this.pid, dropped_chars: this.#dropped, limit_chars_per_second: STDERR_LOG_BUDGET });
    this.#dropped = 0;
  }
}

import type { ExecPayload, Payload } from '@rr/pool-api';
import type { GroupLink } from './task-group.js';

/**
 * One `exec` call travelling through a pool: queued, then run by a worker (possibly several times,
 * when a worker asks to be restarted instead of answering). Exactly one of resolve/reject settles
 * the caller's promise; later calls are ignored. A class rather than closures: it is allocated once
 * per request on the hot path.
 */
export class Task {
  /** True once resolved or rejected. */
  settled = false;
  /** How many workers asked to be restarted instead of answering it. */
  restarts = 0;
  /**
   * While queued in order: when its allocate_timeout ends (performance.now() ms; the pool's one
   * queue timer watches it); 0 otherwise.
   */
  deadline = 0;
  /** While queued out of order (a retry, an extended timeout): its own allocate_timeout timer. */
  timer: NodeJS.Timeout | undefined = undefined;
  /** True while waiting in the queue (removal from the queue is lazy). */
  queued = false;
  /** Set once the allocate timeout was extended because the dynamic allocator added workers. */
  extended = false;
  /**
   * Its place among the in-flight tasks of its caller's signal (the pool keeps one 'abort' listener
   * per signal); the task leaves when it settles.
   */
  abortLink: GroupLink<Task> | undefined = undefined;
  /**
   * Its place among the not-yet-dispatched tasks of its caller's withdraw signal; the task leaves
   * when a worker takes it or it settles.
   */
  withdrawLink: GroupLink<Task> | undefined = undefined;
  /** True once a worker took it: from then on a withdraw has no effect. */
  dispatched = false;
  /** The worker running it, if any. */
  worker: { abortTask(task: Task): void } | undefined = undefined;

  constructor(
    readonly payload: ExecPayload,
    readonly signal: AbortSignal | undefined,
    readonly onChunk: ((chunk: Payload) => void | Promise<void>) | undefined,
    private readonly res: (p: Payload) => void,
    private readonly rej: (e: Error) => void,
  ) {}

  resolve(result: Payload): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined || this.abortLink !== undefined || this.withdrawLink !== undefined) this.#cleanup();
    this.res(result);
  }

  reject(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined || this.abortLink !== undefined || this.withdrawLink !== undefined) this.#cleanup();
    this.rej(err);
  }

  #cleanup(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const a = this.abortLink;
    if (a !== undefined) {
      a.group?.remove(a);
      this.abortLink = undefined;
    }
    const w = this.withdrawLink;
    if (w !== undefined) {
      w.group?.remove(w);
      this.withdrawLink = undefined;
    }
  }

  /** A worker takes it: it can no longer be withdrawn. */
  markDispatched(): void {
    this.dispatched = true;
    const w = this.withdrawLink;
    if (w !== undefined) {
      w.group?.remove(w);
      this.withdrawLink = undefined;
    }
  }
}

import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from '@rr/plugin-api';
import type { ExecOptions, ExecPayload, Payload, Pool, PoolConfig, WorkerInfo, WorkerStateName } from '@rr/pool-api';
import type { RunAs } from './config.js';
import { PoolError, PoolErrorCodes } from './errors.js';
import { readRssBytesAsync } from './proc.js';
import { Task } from './task.js';
import { TaskGroup } from './task-group.js';
import { Worker, type WorkerHooks, type WorkerOptions, type WorkerTransport } from './worker.js';

/** Everything a pool needs besides its config block. */
export interface StaticPoolOptions {
  readonly name: string;
  readonly config: PoolConfig;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly user?: RunAs | undefined;
  readonly transport: WorkerTransport;
  /** The `server` logger. */
  readonly logger: Logger;
  /** Argv prefix giving workers a parent-death signal (see launcher.ts). */
  readonly launcher: readonly string[];
  /** Grace after the stop command before SIGKILL. @default 10000 (RoadRunner) */
  readonly stopTimeoutMs?: number;
  /** Delay before retrying a failed worker start; doubles per failure up to maxMs. @default {baseMs: 100, maxMs: 1000} */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** @default Math.random (max_jobs jitter) */
  readonly random?: () => number;
}

/** Lifecycle events, for tests and for whoever wants to watch a pool. */
export interface PoolEvents {
  /** A worker finished its handshake and joined the pool. */
  workerReady: [pid: number];
  /** A worker process exited (for any reason). */
  workerExit: [pid: number, code: number | null, signal: NodeJS.Signals | null];
  /** A worker could not be started; the pool retries after `retryInMs`. */
  spawnError: [error: Error, retryInMs: number];
}

/** Re-running a request because workers keep asking to be restarted stops after this many tries. */
const MAX_RESTARTS = 10;
const MB = 1024 * 1024;

type State = 'running' | 'destroying' | 'destroyed';

/**
 * A pool of PHP workers owned by one plugin: `num_workers` processes, one request each at a time,
 * a fair FIFO queue when all are busy, replacement of every worker that dies or is recycled
 * (max_jobs, supervisor limits), exponential backoff when workers cannot start, graceful reset and
 * destroy. Workers belong to a *generation*; a reset starts a new one and retires the old workers as
 * soon as each is idle.
 */
export class StaticPool implements Pool {
  readonly name: string;
  /** Lifecycle events (test hooks); never emitted on the per-request path. */
  readonly events = new EventEmitter<PoolEvents>();

  readonly #o: StaticPoolOptions;
  readonly #cfg: PoolConfig;
  readonly #log: Logger;
  readonly #hooks: WorkerHooks;
  #state: State = 'running';
  #generation = 0;
  /** Every process that has not exited yet (serving, retiring, stopping). */
  readonly #all = new Set<Worker>();
  /** Current-generation workers that count as capacity. */
  readonly #live = new Set<Worker>();
  /** Ready workers (a stack: the most recently used one is the warmest). */
  readonly #idle: Worker[] = [];
  #queue: Array<Task | undefined> = [];
  #head = 0;
  #queued = 0;
  #spawning = 0;
  #failures = 0;
  /** Every failed start since the pool was created (never reset; reset() compares it). */
  #failureCount = 0;
  #lastBootError: Error | undefined;
  #backoffTimer: NodeJS.Timeout | undefined;
  #supervisorTimer: NodeJS.Timeout | undefined;
  #dynTimer: NodeJS.Timeout | undefined;
  #dynExtra = 0;
  #lastPressure = 0;
  /** Armed while requests may be queued: fires at the oldest appended request's deadline. */
  #queueTimer: NodeJS.Timeout | undefined;
  readonly #bootAbort = new AbortController();
  readonly #watchers = new Set<() => void>();
  /**
   * In-flight tasks per caller signal. One 'abort' listener per signal instead of one per request:
   * callers may share a signal between requests (the http plugin uses one per HTTP/1 connection),
   * and adding/removing EventTarget listeners is a measurable per-request cost.
   */
  readonly #bySignal = new WeakMap<AbortSignal, TaskGroup<Task>>();
  /** Not-yet-dispatched tasks per withdraw signal (one listener per signal, as for #bySignal). */
  readonly #byWithdraw = new WeakMap<AbortSignal, TaskGroup<Task>>();
  #destroyed: Promise<void> | undefined;

  private constructor(o: StaticPoolOptions) {
    this.name = o.name;
    this.#o = o;
    this.#cfg = o.config;
    this.#log = o.logger;
    this.#hooks = {
      idle: (w) => this.#onIdle(w),
      gone: (w) => this.#onGone(w),
      retry: (task, w) => this.#onRetry(task, w),
      exited: (w) => this.#onExited(w),
      advanced: (w) => this.#refill(w),
      requeue: (task) => this.#onRequeue(task),
    };
  }

  /**
   * Creates the pool and starts `num_workers` workers in parallel (none in debug mode).
   * @throws PoolError RR_ERR_POOL_BOOT when any of the first workers fails to start; the others are killed.
   */
  static async create(o: StaticPoolOptions): Promise<StaticPool> {
    const pool = new StaticPool(o);
    await pool.#boot();
    return pool;
  }

  async #boot(): Promise<void> {
    const cfg = this.#cfg;
    if (!cfg.debug) {
      const n = cfg.numWorkers;
      this.#spawning += n;
      const results = await Promise.allSettled(Array.from({ length: n }, () => Worker.start(this.#workerOptions(0))));
      this.#spawning -= n;
      const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
      if (failed.length > 0) {
        this.#state = 'destroyed';
        await Promise.all(started.map((w) => w.kill()));
        const first = failed[0]!;
        this.#log.error('worker failed to start', { pool: this.name, error: first.message });
        throw new PoolError(
          PoolErrorCodes.BOOT,
          `pool "${this.name}" could not start: ${failed.length} of ${n} workers failed to boot. ${first.message}`,
          { pool: this.name, cause: first, ...pick(first) },
        );
      }
      for (const w of started) {
        this.#adopt(w);
        this.#idle.push(w);
      }
    }
    const sup = cfg.supervisor;
    if (sup !== undefined && (sup.ttlMs > 0 || sup.idleTtlMs > 0 || sup.maxWorkerMemoryMb > 0)) {
      this.#supervisorTimer = setInterval(() => this.#supervise(), sup.watchTickMs);
      this.#supervisorTimer.unref();
    }
    const dyn = cfg.dynamicAllocator;
    if (dyn !== undefined) {
      this.#dynTimer = setInterval(() => this.#shrinkDynamic(), Math.min(dyn.idleTimeoutMs, 1_000));
      this.#dynTimer.unref();
    }
  }

  #workerOptions(generation: number): WorkerOptions {
    const o = this.#o;
    const cfg = this.#cfg;
    const random = o.random ?? Math.random;
    return {
      argv: o.argv,
      launcher: o.launcher,
      env: o.env,
      cwd: o.cwd,
      user: o.user,
      transport: o.transport,
      bootTimeoutMs: cfg.allocateTimeoutMs,
      pool: this.name,
      logger: this.#log,
      // RoadRunner adds 0–14 % per worker so that workers started together do not all recycle at once.
      maxExecs: cfg.maxJobs > 0 ? cfg.maxJobs + Math.floor(random() * 0.14 * cfg.maxJobs) : 0,
      execTtlMs: cfg.supervisor?.execTtlMs ?? 0,
      streamTimeoutMs: cfg.streamTimeoutMs,
      stopTimeoutMs: o.stopTimeoutMs ?? 10_000,
      generation,
      signal: this.#bootAbort.signal,
      prefetch: cfg.prefetch && !cfg.debug,
    };
  }

  #adopt(w: Worker): void {
    w.attach(this.#hooks);
    this.#all.add(w);
    w.live = true;
    this.#live.add(w);
    this.#log.debug('worker is allocated', { pid: w.pid, max_execs: w.maxExecs, internal_event_name: 'EventWorkerConstruct', pool: this.name });
    this.events.emit('workerReady', w.pid);
    this.#notify();
  }

  // ---- exec ---------------------------------------------------------------------------------

  exec(payload: ExecPayload, options?: ExecOptions): Promise<Payload> {
    if (this.#state !== 'running') return Promise.reject(this.#stoppedError());
    if (payload.context.length === 0 && payload.body.length === 0) {
      return Promise.reject(new PoolError(PoolErrorCodes.EMPTY_PAYLOAD, `cannot execute an empty payload on pool "${this.name}": context and body are both empty, which PHP workers read as "terminate"; send at least a context or a body`, { pool: this.name }));
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(this.#abortedError(signal));
    const withdraw = options?.withdraw;
    if (withdraw?.aborted) return Promise.reject(this.#withdrawnError(withdraw));
    return new Promise<Payload>((resolve, reject) => {
      const task = new Task(payload, signal, options?.onChunk, resolve, reject);
      if (signal !== undefined) {
        let group = this.#bySignal.get(signal);
        if (group === undefined) {
          const tasks = new TaskGroup<Task>();
          group = tasks;
          this.#bySignal.set(signal, tasks);
          signal.addEventListener('abort', () => {
            for (const t of tasks.take()) this.#abort(t);
          }, { once: true });
        }
        task.abortLink = group.add(task);
      }
      if (withdraw !== undefined) {
        let group = this.#byWithdraw.get(withdraw);
        if (group === undefined) {
          const tasks = new TaskGroup<Task>();
          group = tasks;
          this.#byWithdraw.set(withdraw, tasks);
          withdraw.addEventListener('abort', () => {
            for (const t of tasks.take()) this.#withdraw(t, withdraw);
          }, { once: true });
        }
        task.withdrawLink = group.add(task);
      }
      this.#dispatch(task);
    });
  }

  #dispatch(task: Task): void {
    if (this.#cfg.debug) {
      this.#runDebug(task);
      return;
    }
    const w = this.#idle.pop();
    if (w !== undefined) {
      this.#run(w, task);
      return;
    }
    // Nobody waits before it and every worker is busy: a worker with a free prefetch slot takes it.
    if (this.#cfg.prefetch && this.#queued === 0) {
      for (const busy of this.#live) {
        if (busy.canPrefetch) {
          this.#prefetch(busy, task);
          return;
        }
      }
    }
    const max = this.#cfg.maxQueueSize;
    if (max > 0 && this.#queued >= max) {
      task.reject(new PoolError(PoolErrorCodes.QUEUE_FULL, `pool "${this.name}" rejected a request: max queue size reached (${max} requests already wait for a worker); raise ${this.name}.pool.max_queue_size or num_workers, or shed load upstream`, { pool: this.name }));
      return;
    }
    this.#enqueue(task, false);
  }

  #enqueue(task: Task, first: boolean): void {
    task.queued = true;
    this.#queued++;
    this.#lastPressure = Date.now();
    if (first) {
      // A retried request goes first with a fresh allocate_timeout, out of the queue's deadline
      // order: it keeps a timer of its own (rare).
      if (this.#head > 0) this.#queue[--this.#head] = task;
      else this.#queue.unshift(task);
      task.timer = setTimeout(() => this.#onAllocateTimeout(task), this.#cfg.allocateTimeoutMs);
      return;
    }
    // Appended requests time out in queue order, so one timer armed for the oldest serves them all:
    // no timer per queued request. An armed timer fires no later than this new, latest deadline.
    this.#queue.push(task);
    task.deadline = performance.now() + this.#cfg.allocateTimeoutMs;
    this.#queueTimer ??= setTimeout(this.#sweepQueue, this.#cfg.allocateTimeoutMs);
  }

  /** Times out the queued requests whose allocate_timeout passed, then re-arms for the next one. */
  readonly #sweepQueue = (): void => {
    this.#queueTimer = undefined;
    const now = performance.now();
    for (let i = this.#head; i < this.#queue.length; i++) {
      const t = this.#queue[i];
      // Taken, settled, or on a timer of its own.
      if (t === undefined || !t.queued || t.deadline === 0) continue;
      if (t.deadline > now) {
        this.#queueTimer = setTimeout(this.#sweepQueue, Math.ceil(t.deadline - now));
        return;
      }
      t.deadline = 0;
      this.#onAllocateTimeout(t);
    }
  };

  #takeQueued(): Task | undefined {
    const q = this.#queue;
    while (this.#head < q.length) {
      const t = q[this.#head];
      q[this.#head++] = undefined;
      if (t !== undefined && t.queued) {
        t.queued = false;
        this.#queued--;
        t.deadline = 0;
        if (t.timer !== undefined) {
          clearTimeout(t.timer);
          t.timer = undefined;
        }
        this.#compact();
        return t;
      }
    }
    this.#compact();
    return undefined;
  }

  #compact(): void {
    // An empty queue that was never used stays as it is: this runs every time a worker goes idle.
    if (this.#head === 0) return;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #onAllocateTimeout(task: Task): void {
    task.timer = undefined;
    if (!task.queued) return;
    const dyn = this.#cfg.dynamicAllocator;
    if (dyn !== undefined && !task.extended && this.#dynExtra < dyn.maxWorkers) {
      // RoadRunner's dynamic allocator: add workers on NoFreeWorkers and retry the request once.
      const add = Math.min(dyn.spawnRate, dyn.maxWorkers - this.#dynExtra);
      this.#dynExtra += add;
      this.#lastPressure = Date.now();
      this.#log.debug('no free workers, adding workers', { pool: this.name, added: add, extra_workers: this.#dynExtra });
      task.extended = true;
      task.timer = setTimeout(() => this.#onAllocateTimeout(task), this.#cfg.allocateTimeoutMs);
      this.#ensureCapacity();
      return;
    }
    task.queued = false;
    this.#queued--;
    const busy = [...this.#live].filter((w) => w.busy).length;
    const boot = this.#lastBootError && this.#failures > 0 ? ` Workers currently fail to start: ${this.#lastBootError.message}` : '';
    task.reject(new PoolError(
      PoolErrorCodes.NO_FREE_WORKERS,
      `no free worker in pool "${this.name}" within allocate_timeout (${this.#cfg.allocateTimeoutMs} ms): ${busy} of ${this.#live.size} workers were busy ` +
        `(${this.#cfg.numWorkers} configured). Raise ${this.name}.pool.num_workers or allocate_timeout, or find what makes requests slow.${boot}`,
      { pool: this.name },
    ));
  }

  #abort(task: Task): void {
    if (task.settled) return;
    if (task.queued) {
      task.queued = false;
      this.#queued--;
      task.reject(this.#abortedError(task.signal));
      return;
    }
    if (task.worker !== undefined) {
      task.worker.abortTask(task);
      return;
    }
    task.reject(this.#abortedError(task.signal));
  }

  /** Hands a task to a worker: the one place a task becomes dispatched (no longer withdrawable). */
  #run(w: Worker, task: Task): void {
    task.markDispatched();
    w.run(task);
  }

  /** #run for a busy worker's prefetch slot (pool.prefetch). */
  #prefetch(w: Worker, task: Task): void {
    task.markDispatched();
    w.prefetch(task);
  }

  /** A busy worker's prefetch slot is free: the oldest waiting request takes it. */
  #refill(w: Worker): void {
    if (this.#queued === 0 || !w.canPrefetch || !w.live || this.#state !== 'running') return;
    const t = this.#takeQueued();
    if (t !== undefined) this.#prefetch(w, t);
  }

  /** A prefetched request its worker never read goes to the front of the queue (no restart counted). */
  #onRequeue(task: Task): void {
    if (this.#state !== 'running') {
      task.reject(this.#stoppedError());
      return;
    }
    task.dispatched = false;
    const idle = this.#idle.pop();
    if (idle !== undefined) this.#run(idle, task);
    else this.#enqueue(task, true);
  }

  /** A withdraw signal fired: a task no worker took yet leaves the pool untouched by PHP. */
  #withdraw(task: Task, withdraw: AbortSignal): void {
    if (task.settled || task.dispatched) return;
    if (task.queued) {
      task.queued = false;
      this.#queued--;
    }
    // Not queued and not dispatched: a debug-mode task whose fresh worker is still starting;
    // #runDebug sees it settled and stops that worker.
    task.reject(this.#withdrawnError(withdraw));
  }

  #runDebug(task: Task): void {
    // Debug mode (RoadRunner's replacement for the reload plugin): a fresh worker per request.
    this.#spawning++;
    Worker.start(this.#workerOptions(this.#generation)).then(
      (w) => {
        this.#spawning--;
        w.attach(this.#hooks);
        this.#all.add(w);
        this.#log.debug('worker is allocated', { pid: w.pid, max_execs: 1, internal_event_name: 'EventWorkerConstruct', pool: this.name });
        this.events.emit('workerReady', w.pid);
        if (task.settled || this.#state !== 'running') {
          if (!task.settled) task.reject(this.#stoppedError());
          void w.stop();
          return;
        }
        this.#run(w, task);
      },
      (err: Error) => {
        this.#spawning--;
        this.#log.error('worker failed to start', { pool: this.name, error: err.message });
        task.reject(err);
        this.#notify();
      },
    );
  }

  // ---- worker hooks -------------------------------------------------------------------------

  #onIdle(w: Worker): void {
    if (!w.live || this.#state !== 'running') {
      void w.stop(this.#state === 'running' ? 'stopping' : 'destroyed');
      return;
    }
    if (w.recycleAs !== undefined) {
      void w.stop(w.recycleAs);
      return;
    }
    if (w.maxExecs > 0 && w.numExecs >= w.maxExecs) {
      this.#log.debug('requests execution limit reached, worker will be restarted', { pid: w.pid, pool: this.name, num_execs: w.numExecs });
      void w.stop('maxJobsReached');
      return;
    }
    if (this.#live.size > this.#target()) {
      void w.stop('stopping');
      return;
    }
    const t = this.#takeQueued();
    if (t !== undefined) {
      this.#run(w, t);
      this.#refill(w);
      return;
    }
    this.#idle.push(w);
    if (this.#watchers.size > 0) this.#notify();
  }

  #onGone(w: Worker): void {
    if (w.live) {
      w.live = false;
      this.#live.delete(w);
    }
    const i = this.#idle.indexOf(w);
    if (i >= 0) this.#idle.splice(i, 1);
    this.#ensureCapacity();
    this.#notify();
  }

  #onRetry(task: Task, w: Worker): void {
    task.restarts++;
    this.#log.debug('worker asked to be restarted, executing the request on another worker', { pid: w.pid, pool: this.name });
    if (this.#state !== 'running') {
      task.reject(this.#stoppedError());
      return;
    }
    if (task.restarts > MAX_RESTARTS) {
      task.reject(new PoolError(PoolErrorCodes.RESTART_LOOP, `pool "${this.name}" gave up on a request: ${task.restarts} workers in a row asked to be restarted (stop()) instead of answering it; the worker script calls stop() for this request every time`, { pool: this.name, pid: w.pid }));
      return;
    }
    if (this.#cfg.debug) {
      this.#runDebug(task);
      return;
    }
    const idle = this.#idle.pop();
    if (idle !== undefined) this.#run(idle, task);
    else this.#enqueue(task, true);
  }

  #onExited(w: Worker): void {
    this.#all.delete(w);
    const exit = w.exitInfo;
    this.events.emit('workerExit', w.pid, exit?.code ?? null, exit?.signal ?? null);
    this.#notify();
  }

  // ---- capacity -----------------------------------------------------------------------------

  #target(): number {
    return this.#cfg.numWorkers + this.#dynExtra;
  }

  #ensureCapacity(): void {
    if (this.#state !== 'running' || this.#cfg.debug || this.#backoffTimer !== undefined) return;
    const missing = this.#target() - this.#live.size - this.#spawning;
    if (missing <= 0) return;
    // While workers fail to start, probe with one at a time instead of a burst per missing worker.
    const n = this.#failures > 0 ? (this.#spawning > 0 ? 0 : 1) : missing;
    for (let i = 0; i < n; i++) void this.#spawnOne();
  }

  async #spawnOne(): Promise<void> {
    const generation = this.#generation;
    this.#spawning++;
    let w: Worker;
    try {
      w = await Worker.start(this.#workerOptions(generation));
    } catch (err) {
      this.#spawning--;
      this.#onSpawnFailure(err as Error);
      return;
    }
    this.#spawning--;
    this.#failures = 0;
    this.#lastBootError = undefined;
    if (this.#state !== 'running' || generation !== this.#generation) {
      w.attach(this.#hooks);
      this.#all.add(w);
      void w.stop(this.#state === 'running' ? 'stopping' : 'destroyed');
      this.#ensureCapacity();
      return;
    }
    this.#adopt(w);
    this.#onIdle(w);
    this.#ensureCapacity();
  }

  #onSpawnFailure(err: Error): void {
    if (this.#state !== 'running') {
      this.#notify();
      return;
    }
    this.#failures++;
    this.#failureCount++;
    this.#lastBootError = err;
    const b = this.#o.backoff ?? { baseMs: 100, maxMs: 1_000 };
    const delay = Math.min(b.maxMs, b.baseMs * 2 ** Math.min(this.#failures - 1, 20));
    this.#log.error('worker failed to start', { pool: this.name, error: err.message, attempt: this.#failures, retry_in_ms: delay });
    this.events.emit('spawnError', err, delay);
    if (this.#backoffTimer === undefined) {
      this.#backoffTimer = setTimeout(() => {
        this.#backoffTimer = undefined;
        this.#ensureCapacity();
      }, delay);
    }
    this.#notify();
  }

  #shrinkDynamic(): void {
    const dyn = this.#cfg.dynamicAllocator;
    if (dyn === undefined || this.#dynExtra === 0 || this.#state !== 'running') return;
    if (this.#queued > 0 || Date.now() - this.#lastPressure < dyn.idleTimeoutMs) return;
    this.#dynExtra = 0;
    this.#log.debug('removing idle extra workers', { pool: this.name });
    while (this.#live.size > this.#target() && this.#idle.length > 0) void this.#idle.shift()!.stop('stopping');
  }

  #supervise(): void {
    const sup = this.#cfg.supervisor;
    if (sup === undefined || this.#state !== 'running') return;
    const now = Date.now();
    for (const w of this.#live) {
      if (sup.ttlMs > 0 && now - w.createdAt >= sup.ttlMs) {
        this.#log.debug('ttl', { pid: w.pid, pool: this.name, ttl_ms: sup.ttlMs });
        this.#recycle(w, 'ttlReached');
      } else if (sup.idleTtlMs > 0 && !w.busy && w.lastUsedAt > 0 && now - w.lastUsedAt >= sup.idleTtlMs) {
        this.#log.debug('idle_ttl', { pid: w.pid, pool: this.name, idle_ttl_ms: sup.idleTtlMs });
        this.#recycle(w, 'idleTTLReached');
      } else if (sup.maxWorkerMemoryMb > 0) {
        void readRssBytesAsync(w.pid).then((rss) => {
          if (rss > sup.maxWorkerMemoryMb * MB && w.live && this.#state === 'running') {
            this.#log.debug('memory_limit', { pid: w.pid, pool: this.name, rss_bytes: rss, max_worker_memory_mb: sup.maxWorkerMemoryMb });
            this.#recycle(w, 'maxMemoryReached');
          }
        });
      }
    }
  }

  /** Soft limits: an idle worker is replaced now, a busy one right after its request. */
  #recycle(w: Worker, state: WorkerStateName): void {
    if (w.busy) {
      w.recycleAs = state;
      return;
    }
    void w.stop(state);
  }

  // ---- reset / destroy ----------------------------------------------------------------------

  workers(): WorkerInfo[] {
    const out: WorkerInfo[] = [];
    for (const w of this.#all) if (w.exitInfo === undefined) out.push(w.info());
    return out;
  }

  queueSize(): number {
    return this.#queued;
  }

  /**
   * Replaces every worker without failing a request: a new generation is started at once; old
   * workers stop as soon as they are idle (busy ones finish their request first); queued requests
   * go to the new workers. Resolves when no old worker is left and the new ones are all ready.
   * Old workers still busy after `reset_timeout` are killed (their requests fail).
   * @throws PoolError RR_ERR_POOL_BOOT when new workers fail to start (the pool keeps retrying)
   */
  async reset(): Promise<void> {
    if (this.#state !== 'running') throw this.#stoppedError();
    this.#log.debug('pool reset', { pool: this.name });
    const generation = ++this.#generation;
    if (this.#backoffTimer !== undefined) {
      clearTimeout(this.#backoffTimer);
      this.#backoffTimer = undefined;
    }
    this.#failures = 0;
    for (const w of this.#live) w.live = false;
    this.#live.clear();
    for (const w of this.#idle.splice(0)) void w.stop('stopping');
    const failuresBefore = this.#failureCount;
    this.#ensureCapacity();
    const old = (): Worker[] => [...this.#all].filter((w) => w.generation < generation);
    const done = (): boolean => old().length === 0 && (this.#cfg.debug || this.#live.size >= this.#target());
    let failure: Error | undefined;
    const ok = await this.#waitUntil(() => {
      if (this.#state !== 'running') return true;
      if (this.#failureCount !== failuresBefore && this.#lastBootError !== undefined) {
        failure = this.#lastBootError;
        return true;
      }
      return done();
    }, this.#cfg.resetTimeoutMs);
    if (this.#state !== 'running') throw this.#stoppedError();
    if (failure !== undefined) {
      throw new PoolError(PoolErrorCodes.BOOT, `reset of pool "${this.name}" could not start new workers (the pool keeps retrying): ${failure.message}`, { pool: this.name, cause: failure, ...pick(failure) });
    }
    if (!ok) {
      const left = old();
      this.#log.warn('reset_timeout reached, killing workers still busy', { pool: this.name, pids: left.map((w) => w.pid), reset_timeout_ms: this.#cfg.resetTimeoutMs });
      await Promise.all(left.map((w) => w.kill('stopping')));
    }
  }

  /**
   * Stops the pool: new and queued requests fail with RR_ERR_POOL_STOPPED, requests in flight finish,
   * then every worker gets the stop command. Whatever is still running at the deadline
   * (`destroy_timeout` or the signal, whichever comes first) is SIGKILLed. Resolves once every worker
   * process has exited.
   */
  destroy(signal: AbortSignal): Promise<void> {
    this.#destroyed ??= this.#destroy(signal);
    return this.#destroyed;
  }

  async #destroy(signal: AbortSignal): Promise<void> {
    this.#log.info('destroy signal received', { pool: this.name, timeout: `${this.#cfg.destroyTimeoutMs}ms` });
    this.#state = 'destroying';
    for (const t of [this.#supervisorTimer, this.#dynTimer]) if (t !== undefined) clearInterval(t);
    if (this.#backoffTimer !== undefined) clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
    this.#bootAbort.abort(this.#stoppedError());
    let t: Task | undefined;
    while ((t = this.#takeQueued()) !== undefined) t.reject(this.#stoppedError());
    if (this.#queueTimer !== undefined) clearTimeout(this.#queueTimer);
    this.#queueTimer = undefined;
    for (const w of this.#live) w.live = false;
    this.#live.clear();
    for (const w of this.#idle.splice(0)) void w.stop('destroyed');
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(this.#cfg.destroyTimeoutMs)]);
    const finished = await this.#waitUntil(() => this.#all.size === 0 && this.#spawning === 0, Infinity, deadline);
    if (!finished) {
      const left = [...this.#all];
      if (left.length > 0) this.#log.warn('destroy deadline reached, killing workers', { pool: this.name, pids: left.map((w) => w.pid) });
      await Promise.all(left.map((w) => w.kill('destroyed')));
      await this.#waitUntil(() => this.#spawning === 0, 5_000);
    }
    this.#state = 'destroyed';
    this.#notify();
  }

  /** Resolves true when `cond` holds (re-checked on every pool change), false at the deadline. */
  #waitUntil(cond: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (v: boolean): void => {
        this.#watchers.delete(check);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const check = (): void => {
        if (cond()) finish(true);
      };
      const onAbort = (): void => finish(cond());
      this.#watchers.add(check);
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => finish(cond()), timeoutMs);
      if (signal !== undefined) {
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  #notify(): void {
    for (const w of [...this.#watchers]) w();
  }

  #stoppedError(): PoolError {
    return new PoolError(PoolErrorCodes.STOPPED, `pool "${this.name}" is stopped: rr is shutting down and takes no more requests`, { pool: this.name });
  }

  #withdrawnError(withdraw: AbortSignal): PoolError {
    return new PoolError(PoolErrorCodes.ABORTED, `the request to pool "${this.name}" was withdrawn by its caller before a worker took it; no worker saw it`, { pool: this.name, cause: withdraw.reason });
  }

  #abortedError(signal: AbortSignal | undefined): PoolError {
    return new PoolError(PoolErrorCodes.ABORTED, `the request to pool "${this.name}" was aborted by its caller before a worker took it`, { pool: this.name, cause: signal?.reason });
  }
}

function pick(err: Error): { pid?: number; stderr?: string } {
  const e = err as PoolError;
  return { ...(e.pid !== undefined ? { pid: e.pid } : {}), ...(e.stderr !== undefined ? { stderr: e.stderr } : {}) };
}

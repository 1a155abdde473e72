import type { DeliveredJob, Job, JobsDriver, Pipeline, PipelineSpec, PipelineState } from '@rr/jobs-api';
import type { Logger } from '@rr/plugin-api';
import type { Pool } from '@rr/pool-api';
import { pipelinePriority } from './config.js';
import { JobsErrorCodes, jobsError } from './errors.js';
import { PriorityQueue } from './priority-queue.js';
import { parseReply } from './reply.js';

/** One pipeline rr has opened on its driver. */
interface OpenPipeline {
  readonly spec: PipelineSpec;
  readonly pipeline: Pipeline;
  readonly priority: number;
  /** Consuming (deliveries go to the local queue) or not. */
  consuming: boolean;
  /** Deliveries that arrived or waited in the local queue while the pipeline was paused. */
  parked: Item[];
  /** Jobs of this pipeline running on a worker now. */
  running: number;
}

interface Item {
  readonly job: DeliveredJob;
  readonly pipe: OpenPipeline;
  /** Effective priority: the job's, or its pipeline's when the job has none. */
  readonly priority: number;
  /** Arrival number in the local queue (-1 before); kept when the item is put back. */
  seq: number;
  /** While handed to the pool (not auto_ack): aborting takes it back if no worker took it yet. */
  withdraw: AbortController | undefined;
  /** Set when `withdraw` was aborted for this hand-off. */
  withdrawn: boolean;
}

/** @rr/pool-api's code for a request taken back (withdraw) before a worker took it. */
const POOL_ABORTED = 'RR_ERR_POOL_ABORTED';

/** Counters for metrics and tests. */
export interface JobsCounters {
  jobsOk: number;
  jobsErr: number;
  pushOk: number;
  pushErr: number;
}

export interface EngineOptions {
  readonly logger: Logger;
  readonly drivers: ReadonlyMap<string, JobsDriver>;
  readonly openContext: (driver: string) => { logger: Logger; rootConfig: import('@rr/plugin-api').ConfigView };
  readonly pushTimeoutMs: number;
  readonly pipelineSize: number;
}

/**
 * The heart of the jobs plugin: pipelines on their drivers, one local priority queue fed by every
 * consuming pipeline, and a dispatcher that hands the queue's head to a free PHP worker. A delivered
 * job is settled with its driver only after the worker answered (or failed), exactly once.
 */
export class JobsEngine {
  private readonly pipes = new Map<string, OpenPipeline>();
  private readonly queue = new PriorityQueue<Item>();
  private pool: Pool | undefined;
  private concurrency = 0;
  private extra = 0;
  /** Jobs handed to the pool (waiting there or on a worker). */
  private running = 0;
  private readonly inPool = new Set<Item>();
  /**
   * The withdraw signal of current hand-offs, shared (one pool listener, no allocation per job).
   * Withdrawing aborts it for every job in the pool: the few that were still waiting come back and
   * are handed out again in order; the running ones are unaffected.
   */
  private withdrawCtl: AbortController | undefined;
  private idleWaiters: Array<() => void> = [];
  private stopping = false;
  private pumpScheduled = false;
  readonly counters: JobsCounters = { jobsOk: 0, jobsErr: 0, pushOk: 0, pushErr: 0 };

  constructor(private readonly o: EngineOptions) {}

  /**
   * Starts dispatching to `pool`: one job per worker (`concurrency`), plus up to `extra` jobs waiting
   * in the pool's queue so that a worker's next job is already there when it answers (no idle round
   * trip through Node per job). Those extra jobs are handed with a withdraw signal: a pause, a
   * destroy, a stop or a better-priority job takes back whichever no worker took yet. auto_ack jobs
   * (acked when handed over, so not returnable) never take an extra slot.
   */
  attach(pool: Pool, concurrency: number, extra = 0): void {
    this.pool = pool;
    this.concurrency = Math.max(1, concurrency);
    this.extra = Math.max(0, extra);
    this.pump();
  }

  names(): string[] {
    return [...this.pipes.keys()];
  }

  has(name: string): boolean {
    return this.pipes.has(name);
  }

  async declare(spec: PipelineSpec): Promise<void> {
    if (this.pipes.has(spec.name)) throw jobsError(JobsErrorCodes.DECLARE, `jobs: pipeline "${spec.name}" already exists; destroy it first or pick another name`);
    const driver = this.o.drivers.get(spec.driver);
    if (driver === undefined) {
      throw jobsError(JobsErrorCodes.NO_DRIVER, `jobs: pipeline "${spec.name}" names driver "${spec.driver}", which no enabled plugin provides (available: ${[...this.o.drivers.keys()].join(', ') || 'none'}); fix jobs.pipelines.${spec.name}.driver or enable the driver's plugin`);
    }
    const pipeline = await driver.open(spec, this.o.openContext(spec.driver));
    this.pipes.set(spec.name, { spec, pipeline, priority: pipelinePriority(spec), consuming: false, parked: [], running: 0 });
    this.o.logger.debug('pipeline declared', { pipeline: spec.name, driver: spec.driver });
  }

  async push(job: Omit<Job, 'priority'> & { priority: number }): Promise<void> {
    const pipe = this.get(job.pipeline);
    const priority = job.priority > 0 ? job.priority : pipe.priority;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pipe.pipeline.push({ ...job, priority }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(jobsError(JobsErrorCodes.PUSH_TIMEOUT, `jobs: push of job ${job.id} to pipeline "${job.pipeline}" was not confirmed by driver ${pipe.spec.driver} within ${this.o.pushTimeoutMs} ms; check the broker, or raise jobs.timeout`)), this.o.pushTimeoutMs);
        }),
      ]);
      this.counters.pushOk++;
    } catch (err) {
      this.counters.pushErr++;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async resume(name: string): Promise<void> {
    const pipe = this.get(name);
    if (pipe.consuming) return;
    pipe.consuming = true;
    for (const item of pipe.parked.splice(0)) this.enqueue(item);
    await pipe.pipeline.consume((job) => this.onDelivery(pipe, job));
    this.o.logger.debug('pipeline active', { pipeline: name, driver: pipe.spec.driver });
    this.pump();
  }

  /** After this resolves no job of the pipeline starts, except those already on a worker. */
  async pause(name: string): Promise<void> {
    const pipe = this.get(name);
    if (!pipe.consuming) return;
    pipe.consuming = false;
    pipe.parked.push(...this.queue.remove((i) => i.pipe === pipe));
    // Jobs waiting in the pool leave it now (synchronously); they come back through putBack.
    for (const it of this.inPool) {
      if (it.pipe === pipe) {
        this.withdrawAll();
        break;
      }
    }
    await pipe.pipeline.pause();
    this.o.logger.debug('pipeline paused', { pipeline: name, driver: pipe.spec.driver });
  }

  /** Stops the pipeline: running jobs finish, queued ones go back to the driver, then it is closed. */
  async destroy(name: string, signal: AbortSignal): Promise<void> {
    const pipe = this.get(name);
    await this.pause(name);
    this.pipes.delete(name);
    await this.returnParked(pipe);
    await this.waitIdle(signal, () => pipe.running === 0);
    if (pipe.pipeline.destroy !== undefined) await pipe.pipeline.destroy(signal);
    await pipe.pipeline.close(signal);
    this.o.logger.debug('pipeline destroyed', { pipeline: name, driver: pipe.spec.driver });
  }

  async states(): Promise<PipelineState[]> {
    const out: PipelineState[] = [];
    for (const pipe of this.pipes.values()) {
      try {
        const s = await pipe.pipeline.state();
        // rr's own view of readiness wins: the driver cannot know about a pause of the local queue.
        out.push({ ...s, ready: pipe.consuming, reserved: s.reserved });
      } catch (err) {
        out.push({ pipeline: pipe.spec.name, driver: pipe.spec.driver, queue: '', priority: pipe.priority, ready: false, active: 0, delayed: 0, reserved: 0, errorMessage: (err as Error).message });
      }
    }
    return out;
  }

  /** Jobs waiting in the local queue (all pipelines). */
  queued(): number {
    return this.queue.size;
  }

  /**
   * Graceful stop, step 1: every pipeline stops consuming and gives back what waits locally; the
   * jobs on workers finish and are settled (within the signal's deadline).
   */
  async drain(signal: AbortSignal): Promise<void> {
    this.stopping = true;
    for (const name of this.pipes.keys()) await this.pause(name).catch((err: unknown) => this.o.logger.error('pipeline pause failed', { pipeline: name, error: String(err) }));
    for (const pipe of this.pipes.values()) await this.returnParked(pipe);
    await this.waitIdle(signal, () => this.running === 0);
  }

  /** Graceful stop, step 2: closes every pipeline. */
  async close(signal: AbortSignal): Promise<void> {
    await this.drain(signal);
    const pipes = [...this.pipes.values()];
    this.pipes.clear();
    await Promise.allSettled(pipes.map(async (p) => {
      try {
        await p.pipeline.close(signal);
      } catch (err) {
        this.o.logger.error('pipeline close failed', { pipeline: p.spec.name, driver: p.spec.driver, error: String(err) });
      }
    }));
  }

  private get(name: string): OpenPipeline {
    const pipe = this.pipes.get(name);
    if (pipe === undefined) {
      throw jobsError(JobsErrorCodes.NO_PIPELINE, `jobs: no such pipeline: ${name} (declared: ${[...this.pipes.keys()].join(', ') || 'none'}); add it under jobs.pipelines or declare it with jobs.Declare`);
    }
    return pipe;
  }

  private onDelivery(pipe: OpenPipeline, job: DeliveredJob): void {
    const item: Item = { job, pipe, priority: job.priority > 0 ? job.priority : pipe.priority, seq: -1, withdraw: undefined, withdrawn: false };
    // A delivery racing a pause (or a destroy) waits with the parked ones.
    if (!pipe.consuming || this.pipes.get(pipe.spec.name) !== pipe) pipe.parked.push(item);
    else this.enqueue(item);
    // Deliveries often come in a synchronous burst (a resume, a prefetch refill): dispatch after the
    // burst, so the queue orders them by priority before the first one takes a worker.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      queueMicrotask(() => { this.pumpScheduled = false; this.pump(); });
    }
  }

  private enqueue(item: Item): void {
    if (this.queue.size >= this.o.pipelineSize) {
      // The drivers honour their prefetch, so this only happens when pipeline_size < the sum of prefetches.
      this.o.logger.warn('local priority queue is full (jobs.pipeline_size), job goes back to its driver', { pipeline: item.pipe.spec.name, id: item.job.id, size: this.o.pipelineSize });
      void item.job.nack({ requeue: true, message: 'jobs.pipeline_size reached' }).catch((err: unknown) => this.settleFailed(item, err));
      return;
    }
    item.seq = this.queue.push(item.priority, item, item.seq >= 0 ? item.seq : undefined);
  }

  private async returnParked(pipe: OpenPipeline): Promise<void> {
    const items = pipe.parked.splice(0);
    await Promise.all(items.map((i) => i.job.nack({ requeue: true, message: 'pipeline stopped before the job ran' }).catch((err: unknown) => this.settleFailed(i, err))));
  }

  private pump(): void {
    const pool = this.pool;
    if (pool === undefined) return;
    for (;;) {
      const head = this.queue.peek();
      if (head === undefined) return;
      if (this.running >= this.concurrency && (head.job.autoAck || this.running >= this.concurrency + this.extra)) {
        this.preempt(head);
        return;
      }
      this.queue.pop();
      this.start(head, pool);
    }
  }

  private start(it: Item, pool: Pool): void {
    this.running++;
    it.pipe.running++;
    it.withdrawn = false;
    it.withdraw = it.job.autoAck ? undefined : (this.withdrawCtl ??= new AbortController());
    this.inPool.add(it);
    void this.run(it, pool)
      .then((withdrawn) => {
        this.inPool.delete(it);
        it.withdraw = undefined;
        // Still counted as running until it is back in a queue (or with its driver): drain and
        // destroy wait for that.
        return withdrawn ? this.putBack(it) : undefined;
      })
      .finally(() => {
        this.running--;
        it.pipe.running--;
        this.notifyIdle();
        this.pump();
      });
  }

  /** Takes back every job no worker took yet (no effect on the others). */
  private withdrawAll(): void {
    const ctl = this.withdrawCtl;
    if (ctl === undefined) return;
    this.withdrawCtl = undefined;
    for (const it of this.inPool) if (it.withdraw === ctl) it.withdrawn = true;
    ctl.abort();
  }

  /** A better job waits locally while a worse one may wait in the pool: take them back. */
  private preempt(head: Item): void {
    for (const it of this.inPool) {
      if (it.priority > head.priority && it.withdraw !== undefined && !it.withdrawn) {
        this.withdrawAll();
        return;
      }
    }
  }

  /** A job the pool gave back untouched: to the local queue, the parked list, or its driver. */
  private async putBack(it: Item): Promise<void> {
    const pipe = it.pipe;
    if (this.stopping || this.pipes.get(pipe.spec.name) !== pipe) {
      await it.job.nack({ requeue: true, message: 'pipeline stopped before the job ran' }).catch((err: unknown) => this.settleFailed(it, err));
    } else if (!pipe.consuming) {
      pipe.parked.push(it);
    } else {
      this.enqueue(it);
    }
  }

  /** Runs one job; resolves true when it was withdrawn from the pool before any worker saw it. */
  private async run(item: Item, pool: Pool): Promise<boolean> {
    const { job, pipe } = item;
    const log = this.o.logger;
    if (job.autoAck) {
      try {
        await job.ack();
      } catch (err) {
        this.settleFailed(item, err);
      }
    }
    let reply;
    try {
      reply = await pool.exec(
        { context: Buffer.from(workerContext(job, pipe.spec.driver)), body: job.payload, codec: 'raw' },
        item.withdraw !== undefined ? { withdraw: item.withdraw.signal } : undefined,
      );
    } catch (err) {
      if (item.withdrawn && (err as { code?: unknown }).code === POOL_ABORTED) return true;
      this.counters.jobsErr++;
      log.error('job processing was started', { ID: job.id, pipeline: pipe.spec.name, driver: pipe.spec.driver, error: (err as Error).message ?? String(err) });
      if (!job.autoAck) await job.nack({ requeue: false, message: (err as Error).message ?? String(err), workerFailed: true }).catch((e: unknown) => this.settleFailed(item, e));
      return false;
    }
    const action = parseReply(reply.body);
    if (action.kind === 'ack' && action.failed === undefined) this.counters.jobsOk++;
    else this.counters.jobsErr++;
    if (job.autoAck) return false;
    try {
      switch (action.kind) {
        case 'ack':
          if (action.failed !== undefined) log.error('job failed', { ID: job.id, pipeline: pipe.spec.name, error: action.failed });
          if (action.warning !== undefined) log.warn(action.warning, { ID: job.id, pipeline: pipe.spec.name });
          await job.ack();
          break;
        case 'invalid':
          log.error('response handler error', { ID: job.id, pipeline: pipe.spec.name, error: action.reason });
          await job.ack();
          break;
        case 'nack':
          await job.nack({ requeue: action.requeue, delaySeconds: action.delaySeconds, message: action.message });
          break;
        case 'requeue':
          await job.requeue({ delaySeconds: action.delaySeconds, ...(action.headers !== undefined ? { headers: action.headers } : {}) });
          break;
      }
    } catch (err) {
      this.settleFailed(item, err);
    }
    return false;
  }

  private settleFailed(item: Item, err: unknown): void {
    this.o.logger.error('job could not be settled with its driver', { ID: item.job.id, pipeline: item.pipe.spec.name, driver: item.pipe.spec.driver, error: (err as Error).message ?? String(err) });
  }

  private waitIdle(signal: AbortSignal, done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (done() || signal.aborted) {
          signal.removeEventListener('abort', check);
          this.idleWaiters = this.idleWaiters.filter((w) => w !== check);
          resolve();
        }
      };
      this.idleWaiters.push(check);
      signal.addEventListener('abort', check);
      check();
    });
  }

  private notifyIdle(): void {
    for (const w of [...this.idleWaiters]) w();
  }

  get isStopping(): boolean {
    return this.stopping;
  }
}

/** The context JSON a jobs worker receives (protocol §6.2), key order as RoadRunner's drivers write it. */
export function workerContext(job: DeliveredJob, driver: string): string {
  const hasHeaders = Object.keys(job.headers).length > 0;
  return JSON.stringify({ id: job.id, job: job.job, driver, ...job.context, headers: hasHeaders ? job.headers : null, pipeline: job.pipeline });
}

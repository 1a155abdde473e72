import type { DeliveredJob, Job, JobHeaders, JobsDriver, Pipeline, PipelineContext, PipelineSpec, PipelineState } from '@rr/jobs-api';
import type { Logger } from '@rr/plugin-api';

/** `jobs.pipelines.<name>.config` of a memory pipeline. */
export interface MemoryPipelineConfig {
  /** @default 10 */
  readonly priority: number;
  /** Deliveries handed to rr and not yet settled, at most. @default 100000 */
  readonly prefetch: number;
}

export function compileMemoryPipelineConfig(raw: Readonly<Record<string, unknown>>): MemoryPipelineConfig {
  const n = (v: unknown, d: number): number => {
    const x = Number(v ?? d);
    return Number.isFinite(x) && x > 0 ? Math.trunc(x) : d;
  };
  return { priority: n(raw['priority'], 10), prefetch: n(raw['prefetch'], 100_000) };
}

/**
 * RoadRunner's memory jobs driver: jobs live in this process only. What it documents, and rr keeps:
 * a job whose worker crashed or timed out is nacked without requeue and so dropped (logged), and
 * whatever the pipeline still holds when it is closed (rr stops, pipeline destroyed) is lost (the
 * count is logged). Use boltdb or a broker for jobs that must survive.
 */
export class MemoryPipeline implements Pipeline {
  private readonly waiting: Job[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private deliver: ((job: DeliveredJob) => void) | undefined;
  private reserved = 0;
  private closed = false;

  constructor(private readonly spec: PipelineSpec, private readonly cfg: MemoryPipelineConfig, private readonly logger: Logger) {}

  async push(job: Job): Promise<void> {
    if (this.closed) throw new Error(`memory pipeline "${this.spec.name}" is closed; declare it again before pushing`);
    this.add(job);
  }

  async consume(deliver: (job: DeliveredJob) => void): Promise<void> {
    if (this.closed) throw new Error(`memory pipeline "${this.spec.name}" is closed`);
    this.deliver = deliver;
    this.pump();
  }

  async pause(): Promise<void> {
    this.deliver = undefined;
  }

  async state(): Promise<PipelineState> {
    return {
      pipeline: this.spec.name, driver: 'memory', queue: this.spec.name, priority: this.cfg.priority,
      ready: this.deliver !== undefined, active: this.waiting.length, delayed: this.timers.size, reserved: this.reserved,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.deliver = undefined;
    const lost = this.waiting.length + this.timers.size;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.length = 0;
    if (lost > 0) this.logger.warn('memory pipeline closed with jobs not processed: they are lost (the memory driver keeps jobs in this process only)', { pipeline: this.spec.name, lost });
  }

  async destroy(): Promise<void> {
    await this.close();
  }

  private add(job: Job): void {
    if (job.delaySeconds > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.waiting.push({ ...job, delaySeconds: 0 });
        this.pump();
      }, job.delaySeconds * 1000);
      this.timers.add(timer);
      return;
    }
    this.waiting.push(job);
    this.pump();
  }

  private pump(): void {
    // `deliver` may pause the pipeline synchronously; re-read it every turn.
    while (this.deliver !== undefined && this.reserved < this.cfg.prefetch && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.reserved++;
      this.deliver(this.delivered(job));
    }
  }

  private delivered(job: Job): DeliveredJob {
    let settled = false;
    const settle = (how: string): void => {
      if (settled) throw new Error(`memory pipeline "${this.spec.name}": job ${job.id} was already settled (${how} refused: nothing is settled twice)`);
      settled = true;
      this.reserved--;
      queueMicrotask(() => this.pump());
    };
    const again = (delaySeconds: number, headers: JobHeaders): void => {
      if (this.closed) {
        this.logger.warn('job requeued after its memory pipeline was closed: lost', { pipeline: this.spec.name, ID: job.id });
        return;
      }
      this.add({ ...job, headers, delaySeconds });
    };
    return {
      ...job,
      context: {},
      ack: async () => { settle('ack'); },
      nack: async ({ requeue, delaySeconds, message }) => {
        settle('nack');
        if (requeue) again(delaySeconds ?? 0, job.headers);
        else this.logger.warn('job nacked without requeue: dropped (memory driver)', { pipeline: this.spec.name, ID: job.id, ...(message ? { error: message } : {}) });
      },
      requeue: async ({ delaySeconds, headers }) => {
        settle('requeue');
        again(delaySeconds, headers ?? job.headers);
      },
    };
  }
}

export const memoryJobsDriver: JobsDriver = {
  name: 'memory',
  async open(spec: PipelineSpec, ctx: PipelineContext): Promise<Pipeline> {
    return new MemoryPipeline(spec, compileMemoryPipelineConfig(spec.config), ctx.logger);
  },
};

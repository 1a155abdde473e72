import { defineToken, type ConfigView, type Logger } from '@rr/plugin-api';
import type { DeliveredJob, Job, PipelineState } from './job.js';

/** A pipeline's declaration (`jobs.pipelines.<name>` or `jobs.Declare`). @public */
export interface PipelineSpec {
  readonly name: string;
  readonly driver: string;
  /** The pipeline's `config` block, raw (drivers compile it themselves). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Everything a driver gets when it opens a pipeline. @public */
export interface PipelineContext {
  /** The driver's logger (named after the driver plugin: `amqp`, `sqs`, …). */
  readonly logger: Logger;
  readonly rootConfig: ConfigView;
}

/**
 * One open pipeline of a driver. `consume` hands deliveries to rr, which buffers them in its priority
 * queue (bounded by `jobs.pipeline_size`) and settles each through the DeliveredJob. A driver honours
 * its `prefetch`: at most that many unsettled deliveries at once.
 * @public
 */
export interface Pipeline {
  /** Stores the job with the broker; resolves once the broker has it (confirm/ack), rejects otherwise. */
  push(job: Job): Promise<void>;
  /** Starts (or resumes) consuming. Deliveries go to `deliver` until pause/stop. */
  consume(deliver: (job: DeliveredJob) => void): Promise<void>;
  /** Stops taking new deliveries; deliveries already handed over can still be settled. */
  pause(): Promise<void>;
  state(): Promise<PipelineState>;
  /**
   * Shuts the pipeline down: consuming stops, deliveries handed over but not settled go back to the
   * broker (or are lost where the driver documents it). Acks for jobs in flight must still work
   * until this resolves.
   */
  close(signal: AbortSignal): Promise<void>;
  /** Removes the pipeline's broker resources where the driver config asks for it (delete_queue_on_stop…). */
  destroy?(signal: AbortSignal): Promise<void>;
}

/** A queue driver (RoadRunner's job Constructor), contributed by a driver plugin. @public */
export interface JobsDriver {
  /** The `driver:` value of a pipeline (`memory`, `amqp`, `kafka`, …). */
  readonly name: string;
  open(spec: PipelineSpec, ctx: PipelineContext): Promise<Pipeline>;
}

/** Registry of queue drivers (multi token): driver plugins contribute, the jobs plugin collects. @public */
export const jobsDriversToken = defineToken<JobsDriver>('jobs.drivers', { multi: true });

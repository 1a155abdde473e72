/** Job headers, as RoadRunner carries them: name → list of values. @public */
export type JobHeaders = Readonly<Record<string, readonly string[]>>;

/**
 * A job as pushed (over RPC `jobs.Push`/`PushBatch`, or by rr itself when requeueing).
 * @public
 */
export interface Job {
  /** Job id (the PHP pusher sends a UUID). */
  readonly id: string;
  /** Job name, usually a PHP class name. */
  readonly job: string;
  /** Payload bytes, handed to the worker unchanged as the frame body. */
  readonly payload: Uint8Array;
  readonly headers: JobHeaders;
  /** Target pipeline. */
  readonly pipeline: string;
  /** Lower runs first; 0 inherits the pipeline's priority. */
  readonly priority: number;
  /** Seconds before the job becomes available; 0 = now. */
  readonly delaySeconds: number;
  /** Ack on receipt, before a worker runs it (RoadRunner's `auto_ack`). */
  readonly autoAck: boolean;
}

/**
 * A job a driver delivered and rr must settle exactly once. The jobs plugin calls one of ack, nack or
 * requeue only after the PHP worker answered (or failed): that is rr's delivery guarantee, and a
 * driver must not settle the job with its broker any earlier (unless `autoAck`).
 * @public
 */
export interface DeliveredJob extends Job {
  /** Driver-specific fields of the worker context (`queue`, Kafka `topic`/`partition`/`offset`). */
  readonly context: Readonly<Record<string, unknown>>;
  /** The worker finished the job. */
  ack(): Promise<void>;
  /**
   * The worker failed the job (or crashed, or timed out). `requeue: false` follows the driver's
   * documented failure semantics (drop, dead-letter or redeliver, per driver config).
   */
  nack(options: {
    readonly requeue: boolean;
    readonly delaySeconds?: number;
    readonly message?: string;
    /**
     * True when no reply came at all: the worker crashed, hit exec_ttl or the pool failed (the jobs
     * plugin then sends `requeue: false`). At-least-once drivers redeliver such a job; drivers that
     * document drops (memory) may ignore it. Absent for a PHP `nack()`.
     */
    readonly workerFailed?: boolean;
  }): Promise<void>;
  /** Put a copy back (with new headers/delay) and settle the original: RoadRunner's requeue. */
  requeue(options: { readonly delaySeconds: number; readonly headers?: JobHeaders }): Promise<void>;
}

/** What `jobs.Stat` / `rr jobs --list` / status `/jobs` report for a pipeline. @public */
export interface PipelineState {
  readonly pipeline: string;
  readonly driver: string;
  readonly queue: string;
  readonly priority: number;
  /** Consuming (true) or paused/stopped. */
  readonly ready: boolean;
  /** Jobs waiting in the broker (when the broker can tell). */
  readonly active: number;
  readonly delayed: number;
  /** Delivered to rr and not yet settled. */
  readonly reserved: number;
  readonly errorMessage?: string;
}

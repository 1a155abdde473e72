import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DeliveredJob, Job, JobHeaders, Pipeline, PipelineContext, PipelineSpec, PipelineState } from '@rr/jobs-api';
import { RrError, type Logger } from '@rr/plugin-api';
import { compileKafkaGlobal, compileKafkaPipeline, pushTimeoutMs, type KafkaGlobalConfig, type KafkaPipelineConfig } from './config.js';
import { KafkaErrorCodes } from './errors.js';
import { OffsetTracker } from './offset-tracker.js';

type KafkaLib = typeof import('kafkajs');
// kafkajs is CommonJS and costs tens of ms to load: only a kafka pipeline pays for it.
const requireLib = createRequire(import.meta.url);
let kafkaLib: KafkaLib | undefined;
const kafkajs = (): KafkaLib => (kafkaLib ??= requireLib('kafkajs') as KafkaLib);

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

function headerText(h: IHeaders, name: string): string | undefined {
  const v = h[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

function makeClient(lib: KafkaLib, name: string, global: KafkaGlobalConfig, logger: Logger): Kafka {
  const { Kafka: KafkaClient, logLevel } = lib;
  return new KafkaClient({
    clientId: `rr-${name}`,
    brokers: [...global.brokers],
    connectionTimeout: global.connectTimeoutMs,
    ...(global.ssl === undefined ? {} : { ssl: global.ssl }),
    ...(global.sasl === undefined ? {} : { sasl: { ...global.sasl } as import('kafkajs').SASLOptions }),
    logLevel: logLevel.WARN,
    // kafkajs' own records go to the driver's logger (warnings and errors only).
    logCreator: () => ({ level, log }) => {
      const fields = { pipeline: name, kafkajs: log.message, ...(log['error'] === undefined ? {} : { error: String(log['error']) }) };
      if (level <= logLevel.ERROR) logger.warn('kafka client error', fields);
      else if (level <= logLevel.WARN) logger.debug('kafka client warning', fields);
    },
  });
}

export async function openKafkaPipeline(spec: PipelineSpec, ctx: PipelineContext): Promise<Pipeline> {
  const cfg = compileKafkaPipeline(spec.config, `jobs.pipelines.${spec.name}.config`);
  const global = compileKafkaGlobal(ctx.rootConfig);
  const lib = kafkajs();
  const kafka = makeClient(lib, spec.name, global, ctx.logger);
  const producer = kafka.producer({
    allowAutoTopicCreation: cfg.autoCreateTopics,
    idempotent: cfg.idempotent,
    ...(cfg.idempotent ? { maxInFlightRequests: 1 } : {}),
    createPartitioner: lib.Partitioners.DefaultPartitioner,
  });
  const timeoutMs = pushTimeoutMs(ctx.rootConfig);
  try {
    await bounded(producer.connect(), Math.min(timeoutMs, global.connectTimeoutMs + 1_000), 'connect');
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw new RrError(
      KafkaErrorCodes.CONNECT,
      `kafka pipeline "${spec.name}" could not connect to ${global.brokers.join(',')}: ${describe(err)}; start Kafka or fix kafka.brokers`,
      { cause: err },
    );
  }
  return new KafkaPipeline(spec.name, cfg, global, lib, kafka, producer, timeoutMs, ctx.logger);
}

/**
 * Kafka topics through kafkajs. Consumption is a consumer group (`group_options.group_id`) with
 * manual commits: a record's offset is committed only when it and every earlier record of its
 * partition were settled, so a crash never skips an unfinished job. Without a group id rr reads
 * through a private group and commits nothing (RoadRunner's partition mode does not commit either).
 */
export class KafkaPipeline implements Pipeline {
  private consumer: Consumer | undefined;
  private readonly tracker = new OffsetTracker();
  private paused = true;
  private closing = false;
  private deliver: ((job: DeliveredJob) => void) | undefined;
  /** Partitions waiting for room or a resume (several batches run at once). */
  private readonly wakers = new Set<() => void>();
  private readonly commitChains = new Map<string, Promise<void>>();
  private readonly groupMode: boolean;
  private warnedDelay = false;

  constructor(
    private readonly name: string,
    private readonly cfg: KafkaPipelineConfig,
    private readonly global: KafkaGlobalConfig,
    private readonly lib: KafkaLib,
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.groupMode = cfg.groupId !== '';
  }

  async push(job: Job): Promise<void> {
    await this.produce(job, job.headers, job.delaySeconds, 'push');
  }

  private async produce(job: Job, headers: JobHeaders, delaySeconds: number, what: string): Promise<void> {
    if (delaySeconds > 0 && !this.warnedDelay) {
      this.warnedDelay = true;
      this.logger.warn('kafka has no delayed delivery: delay_seconds is ignored, the job is available at once', { pipeline: this.name, id: job.id });
    }
    const topic = this.cfg.topics[0]!;
    try {
      await bounded(this.producer.send({
        topic,
        acks: this.cfg.requiredAcks,
        timeout: this.cfg.requestTimeoutMs,
        ...(this.cfg.gzip ? { compression: this.lib.CompressionTypes.GZIP } : {}),
        messages: [{
          key: job.id,
          value: Buffer.from(job.payload.buffer, job.payload.byteOffset, job.payload.byteLength),
          headers: {
            rr_id: job.id,
            rr_job: job.job,
            rr_headers: JSON.stringify(headers),
            rr_priority: String(job.priority),
            rr_auto_ack: job.autoAck ? 'true' : 'false',
          },
        }],
      }), this.timeoutMs, 'produce');
    } catch (err) {
      throw new RrError(
        KafkaErrorCodes.PUSH,
        `kafka pipeline "${this.name}" could not ${what} job ${job.id} to topic "${topic}" within ${this.timeoutMs} ms: ${describe(err)}; check that the brokers ${this.global.brokers.join(',')} answer`,
        { cause: err },
      );
    }
  }

  async consume(deliver: (job: DeliveredJob) => void): Promise<void> {
    this.deliver = deliver;
    this.paused = false;
    this.wakeAll();
    if (this.consumer !== undefined) return;
    const consumer = this.kafka.consumer({
      groupId: this.groupMode ? this.cfg.groupId : `rr-${this.name}-${randomUUID()}`,
      allowAutoTopicCreation: this.cfg.autoCreateTopics,
      sessionTimeout: this.cfg.sessionTimeoutMs,
      heartbeatInterval: 1_000,
      // A fetch waits at most this long for records; stop and pause wait for the fetch in flight.
      maxWaitTimeInMs: 1_000,
    });
    this.consumer = consumer;
    // After a rebalance kafkajs reads each assigned partition from its last commit: deliveries from
    // before can no longer be committed by us (they will be read again: at-least-once).
    consumer.on(consumer.events.GROUP_JOIN, () => this.tracker.clear());
    consumer.on(consumer.events.CRASH, (e) => this.logger.warn('kafka consumer crashed, restarting', { pipeline: this.name, error: describe(e.payload.error), restart: e.payload.restart }));
    await consumer.connect();
    await consumer.subscribe({
      topics: this.cfg.consumeRegexp ? this.cfg.topics.map((t) => new RegExp(t)) : [...this.cfg.topics],
      fromBeginning: this.cfg.fromBeginning,
    });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 8, eachBatch: (p) => this.eachBatch(p) });
  }

  /**
   * `prefetch` bounds both the unsettled records and, per partition, the records a crash would make
   * rr read again (behind a slow job that partition waits; the others go on).
   */
  private canDeliver(topic: string, partition: number): boolean {
    return !this.paused && !this.closing && this.tracker.size < this.cfg.prefetch && this.tracker.window(topic, partition) < this.cfg.prefetch;
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      while (!this.canDeliver(batch.topic, batch.partition)) {
        // Waiting for room (prefetch) or for a resume: keep the group membership alive meanwhile.
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 1_000);
          this.wakers.add(() => (clearTimeout(t), resolve()));
        });
        if (!isRunning() || isStale() || this.closing) return;
        await heartbeat();
      }
      if (!isRunning() || isStale()) return;
      this.handOver(batch.topic, batch.partition, message);
      resolveOffset(message.offset); // "read", not committed
    }
    await heartbeat();
  }

  private handOver(topic: string, partition: number, m: KafkaMessage): void {
    const h = m.headers ?? {};
    const offset = BigInt(m.offset);
    let headers: JobHeaders = {};
    try {
      const parsed = JSON.parse(headerText(h, 'rr_headers') ?? '{}') as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed as JobHeaders;
    } catch {
      headers = {};
    }
    const priority = Number(headerText(h, 'rr_priority') ?? 0) || 0;
    const base: Job = {
      id: headerText(h, 'rr_id') ?? m.key?.toString() ?? `${topic}-${partition}-${m.offset}`,
      job: headerText(h, 'rr_job') ?? '',
      payload: m.value ?? new Uint8Array(0),
      headers,
      pipeline: this.name,
      priority: priority === 0 ? this.cfg.priority : priority,
      delaySeconds: 0,
      autoAck: headerText(h, 'rr_auto_ack') === 'true',
    };
    this.tracker.delivered(topic, partition, offset);
    let settled = false;
    const settle = async (what: string, action: () => Promise<void>): Promise<void> => {
      if (settled) return;
      settled = true;
      try {
        await action();
      } catch (err) {
        // Not marked done: its offset is never committed, so the job is read again after a restart.
        this.logger.error(`kafka ${what} failed; the record stays uncommitted`, { pipeline: this.name, id: base.id, topic, partition, offset: m.offset, error: describe(err) });
        throw err;
      }
      this.done(topic, partition, offset);
      this.wakeAll();
    };
    const job: DeliveredJob = {
      ...base,
      context: { queue: topic, topic, partition, offset: Number(m.offset) },
      ack: () => settle('ack', async () => {}),
      nack: (opts) =>
        settle('nack', async () => {
          const workerFailed = opts.workerFailed === true; // no reply at all: crash, exec_ttl, pool error
          if (opts.requeue || workerFailed) {
            // Kafka cannot hand one record out again: a copy goes to the end of the topic
            // (RoadRunner's Nack does nothing, and the record is not read again until a restart).
            await this.produce(base, base.headers, opts.delaySeconds ?? 0, 'requeue');
          } else {
            this.logger.warn('kafka job nacked without requeue: dropped', { pipeline: this.name, id: base.id, topic, partition, offset: m.offset, message: opts.message });
          }
        }),
      requeue: ({ delaySeconds, headers: newHeaders }) => settle('requeue', () => this.produce(base, newHeaders ?? base.headers, delaySeconds, 'requeue')),
    };
    if (base.autoAck) {
      this.done(topic, partition, offset);
      this.deliver?.({ ...job, ack: async () => {}, nack: async () => {}, requeue: ({ delaySeconds, headers: nh }) => this.produce(base, nh ?? base.headers, delaySeconds, 'requeue') });
      return;
    }
    this.deliver?.(job);
  }

  private wakeAll(): void {
    const ws = [...this.wakers];
    this.wakers.clear();
    for (const w of ws) w();
  }

  private done(topic: string, partition: number, offset: bigint): void {
    const next = this.tracker.settled(topic, partition, offset);
    if (next === undefined || !this.groupMode || this.consumer === undefined) return;
    const consumer = this.consumer;
    const key = `${topic}\0${partition}`;
    // Commits of one partition go out in order, so an older position never overwrites a newer one.
    const chain = (this.commitChains.get(key) ?? Promise.resolve()).then(() =>
      consumer.commitOffsets([{ topic, partition, offset: next.toString() }]).catch((err: unknown) =>
        this.logger.warn('kafka offset commit failed; the records after the last commit are read again after a restart', { pipeline: this.name, topic, partition, offset: next.toString(), error: describe(err) }),
      ),
    );
    this.commitChains.set(key, chain);
  }

  async pause(): Promise<void> {
    this.paused = true;
  }

  async state(): Promise<PipelineState> {
    return {
      pipeline: this.name,
      driver: 'kafka',
      queue: this.cfg.topics[0]!,
      priority: this.cfg.priority,
      ready: !this.paused && this.consumer !== undefined,
      // Kafka keeps records after consumption; the lag is not computed here.
      active: 0,
      delayed: 0,
      reserved: this.tracker.size,
    };
  }

  /** Leaves the group: records delivered but not settled stay uncommitted and are read again by the next consumer. */
  async close(_signal: AbortSignal): Promise<void> {
    this.closing = true;
    this.paused = true;
    this.wakeAll();
    await Promise.allSettled([...this.commitChains.values()]);
    const open = this.tracker.size;
    if (open > 0) this.logger.info('kafka pipeline closing: unsettled records stay uncommitted and are read again', { pipeline: this.name, count: open });
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    await this.producer.disconnect().catch(() => undefined);
  }
}

import { randomUUID } from 'node:crypto';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveredJob, Job, JobHeaders, Pipeline, PipelineContext, PipelineSpec, PipelineState } from '@rr/jobs-api';
import { RrError, type Logger } from '@rr/plugin-api';
import { compileSqsGlobal, compileSqsPipeline, pushTimeoutMs, type SqsGlobalConfig, type SqsPipelineConfig } from './config.js';
import { SqsErrorCodes } from './errors.js';
import { decodeJob, encodeJob } from './message.js';

type SqsLib = typeof import('@aws-sdk/client-sqs');
// The SDK costs ~100 ms to load: only a pipeline that uses it pays.
let sdkPromise: Promise<SqsLib> | undefined;
const loadSdk = (): Promise<SqsLib> => {
  // rr pins its Node.js version; the SDK's "upgrade Node" warning would only be noise on rr's stderr.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return (sdkPromise ??= import('@aws-sdk/client-sqs'));
};

/** SQS caps DelaySeconds at 15 minutes. */
const MAX_DELAY_S = 900;
const MAX_BACKOFF_MS = 5_000;
/** How long a receive may take beyond its long-poll wait before the link counts as dead. */
const RECEIVE_MARGIN_MS = 5_000;

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Resolves after ms, or at once when the signal fires (never rejects). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

interface Delivery {
  receiptHandle: string;
  extender: NodeJS.Timeout | undefined;
  settled: boolean;
}

/** Opens an sqs pipeline: declares (or looks up) its queue, then pushes and consumes. */
export async function openSqsPipeline(spec: PipelineSpec, ctx: PipelineContext): Promise<Pipeline> {
  const cfg = compileSqsPipeline(spec.config, `jobs.pipelines.${spec.name}.config`);
  const global = compileSqsGlobal(ctx.rootConfig);
  const sdk = await loadSdk();
  const client = new sdk.SQSClient({
    region: global.region === '' ? 'us-east-1' : global.region,
    ...(global.endpoint === '' ? {} : { endpoint: global.endpoint, useQueueUrlAsEndpoint: false }),
    ...(global.key === ''
      ? {}
      : { credentials: { accessKeyId: global.key, secretAccessKey: global.secret, ...(global.sessionToken === '' ? {} : { sessionToken: global.sessionToken }) } }),
    maxAttempts: 3,
  });
  const timeoutMs = pushTimeoutMs(ctx.rootConfig);
  let queueUrl: string;
  let visibility = cfg.visibilityTimeout;
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    if (cfg.skipQueueDeclaration) {
      queueUrl = (await client.send(new sdk.GetQueueUrlCommand({ QueueName: cfg.queue }), { abortSignal: signal })).QueueUrl ?? '';
    } else {
      const attributes: Record<string, string> = { ...cfg.attributes };
      if (cfg.fifo) attributes['FifoQueue'] = 'true';
      queueUrl = (await client.send(new sdk.CreateQueueCommand({
        QueueName: cfg.queue,
        Attributes: attributes,
        ...(Object.keys(cfg.tags).length > 0 ? { tags: { ...cfg.tags } } : {}),
      }), { abortSignal: signal })).QueueUrl ?? '';
    }
    if (visibility === 0) {
      const attrs = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }), { abortSignal: signal });
      visibility = Number(attrs.Attributes?.['VisibilityTimeout'] ?? 30) || 30;
    }
  } catch (err) {
    client.destroy();
    throw new RrError(
      SqsErrorCodes.QUEUE,
      `sqs pipeline "${spec.name}" could not ${cfg.skipQueueDeclaration ? 'find' : 'declare'} queue "${cfg.queue}": ${describe(err)}; ` +
        `check sqs.endpoint/region/key/secret${cfg.skipQueueDeclaration ? ' and that the queue exists (skip_queue_declaration is on)' : ''}`,
      { cause: err },
    );
  }
  return new SqsPipeline(spec.name, cfg, global, sdk, client, queueUrl, visibility, timeoutMs, ctx.logger);
}

/**
 * One SQS queue. Unlike RoadRunner, a delivered message's visibility is extended while rr holds it
 * (waiting in rr's queue or running), so a job longer than the visibility timeout is not run twice.
 */
export class SqsPipeline implements Pipeline {
  private readonly unsettled = new Map<Delivery, DeliveredJob>();
  private loopAbort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly cfg: SqsPipelineConfig,
    private readonly global: SqsGlobalConfig,
    private readonly sdk: SqsLib,
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    /** Seconds a received message stays hidden; rr re-arms it at half that period. */
    private readonly visibility: number,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async push(job: Job): Promise<void> {
    await this.send(job, job.headers, job.delaySeconds, 'push');
  }

  private async send(job: Job, headers: JobHeaders, delaySeconds: number, what: string): Promise<void> {
    const { body, attributes } = encodeJob(job, headers);
    let delay = Math.max(0, Math.trunc(delaySeconds));
    if (delay > MAX_DELAY_S) {
      this.logger.warn('sqs delay is capped at 900 s', { pipeline: this.name, id: job.id, delay_seconds: delay });
      delay = MAX_DELAY_S;
    }
    try {
      await this.client.send(new this.sdk.SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageAttributes: attributes,
        // FIFO queues refuse per-message delays; each copy gets a fresh dedup id so a requeued
        // copy is never swallowed as a duplicate of its original (RoadRunner sqs #864).
        ...(this.cfg.fifo
          ? { MessageGroupId: this.cfg.messageGroupId === '' ? this.name : this.cfg.messageGroupId, MessageDeduplicationId: randomUUID() }
          : delay > 0 ? { DelaySeconds: delay } : {}),
      }), { abortSignal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new RrError(
        SqsErrorCodes.PUSH,
        `sqs pipeline "${this.name}" could not ${what} job ${job.id} to queue "${this.cfg.queue}" within ${this.timeoutMs} ms: ${describe(err)}; ` +
          `check that SQS${this.global.endpoint === '' ? '' : ` at ${this.global.endpoint}`} is reachable`,
        { cause: err },
      );
    }
  }

  async consume(deliver: (job: DeliveredJob) => void): Promise<void> {
    if (this.loopAbort !== undefined) return;
    const ac = new AbortController();
    this.loopAbort = ac;
    this.loop = this.receiveLoop(ac.signal, deliver);
  }

  async pause(): Promise<void> {
    const ac = this.loopAbort;
    if (ac === undefined) return;
    this.loopAbort = undefined;
    ac.abort();
    this.wakeLoop?.();
    await this.loop;
  }

  private async receiveLoop(signal: AbortSignal, deliver: (job: DeliveredJob) => void): Promise<void> {
    let backoff = 0;
    let idle = 0;
    while (!signal.aborted) {
      const room = this.cfg.maxMessagesInFlight - this.unsettled.size;
      if (room <= 0) {
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
        this.wakeLoop = undefined;
        continue;
      }
      let messages: Message[];
      try {
        const out = await this.client.send(new this.sdk.ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.cfg.prefetch, room),
          WaitTimeSeconds: this.cfg.waitTimeSeconds,
          ...(this.cfg.visibilityTimeout > 0 ? { VisibilityTimeout: this.cfg.visibilityTimeout } : {}),
          MessageAttributeNames: ['All'],
        }), {
          // A silent (blackholed) endpoint never answers: give up after the long poll plus a margin.
          abortSignal: AbortSignal.any([signal, AbortSignal.timeout(this.cfg.waitTimeSeconds * 1000 + RECEIVE_MARGIN_MS)]),
        });
        messages = out.Messages ?? [];
        if (backoff > 0) this.logger.info('sqs receive works again', { pipeline: this.name, queue: this.cfg.queue });
        backoff = 0;
      } catch (err) {
        if (signal.aborted) break;
        backoff = Math.min(backoff === 0 ? 100 : backoff * 2, MAX_BACKOFF_MS);
        this.logger.warn('sqs receive failed, retrying', { pipeline: this.name, queue: this.cfg.queue, error: describe(err), retry_in_ms: backoff });
        await pause(backoff, signal);
        continue;
      }
      for (const m of messages) this.handOver(m, deliver);
      if (messages.length === 0 && this.cfg.waitTimeSeconds === 0) {
        // Short polling on an empty queue: back off a little instead of spinning.
        idle = Math.min(idle === 0 ? 50 : idle * 2, 1_000);
        await pause(idle, signal);
      } else idle = 0;
    }
  }

  private handOver(m: Message, deliver: (job: DeliveredJob) => void): void {
    const decoded = decodeJob(m.MessageId ?? '', m.Body ?? '', m.MessageAttributes ?? {});
    const receiptHandle = m.ReceiptHandle ?? '';
    const d: Delivery = { receiptHandle, extender: undefined, settled: false };
    const base: Job = {
      id: decoded.id,
      job: decoded.job,
      payload: decoded.payload,
      headers: decoded.headers,
      pipeline: this.name,
      priority: decoded.priority === 0 ? this.cfg.priority : decoded.priority,
      delaySeconds: 0,
      autoAck: decoded.autoAck,
    };
    const settle = async (what: string, action: () => Promise<void>): Promise<void> => {
      if (d.settled) return;
      d.settled = true;
      clearInterval(d.extender);
      this.unsettled.delete(d);
      this.wakeLoop?.();
      try {
        await action();
      } catch (err) {
        this.logger.error(`sqs ${what} failed; the message reappears after its visibility timeout`, { pipeline: this.name, id: base.id, error: describe(err) });
        throw err;
      }
    };
    const remove = (): Promise<void> => this.deleteMessage(receiptHandle);
    const job: DeliveredJob = {
      ...base,
      context: { queue: this.cfg.queue },
      ack: () => settle('ack', remove),
      nack: ({ requeue, delaySeconds }) =>
        settle('nack', async () => {
          if (!requeue && this.cfg.retainFailedJobs) {
            // Left in the queue: it comes back after error_visibility_timeout (a RedrivePolicy can dead-letter it).
            await this.client.send(new this.sdk.ChangeMessageVisibilityCommand({
              QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: this.cfg.errorVisibilityTimeout,
            }), { abortSignal: AbortSignal.timeout(this.timeoutMs) });
            return;
          }
          await this.send(base, base.headers, delaySeconds ?? 0, 'requeue');
          await remove();
        }),
      requeue: ({ delaySeconds, headers }) =>
        settle('requeue', async () => {
          await this.send(base, headers ?? base.headers, delaySeconds, 'requeue');
          await remove();
        }),
    };
    if (decoded.autoAck) {
      d.settled = true;
      void remove().catch((err: unknown) => this.logger.error('sqs auto_ack delete failed', { pipeline: this.name, id: base.id, error: describe(err) }));
      deliver({ ...job, ack: async () => {}, nack: async () => {}, requeue: async ({ delaySeconds, headers }) => this.send(base, headers ?? base.headers, delaySeconds, 'requeue') });
      return;
    }
    d.extender = setInterval(() => this.extend(d, base.id), Math.max(500, (this.visibility * 1000) / 2));
    d.extender.unref();
    this.unsettled.set(d, job);
    deliver(job);
  }

  private extend(d: Delivery, id: string): void {
    this.client.send(new this.sdk.ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: d.receiptHandle, VisibilityTimeout: this.visibility }), {
      abortSignal: AbortSignal.timeout(Math.max(1_000, (this.visibility * 1000) / 2)),
    })
      .catch((err: unknown) => {
        if (!d.settled) this.logger.warn('sqs visibility extension failed; the job may be delivered again', { pipeline: this.name, id, error: describe(err) });
      });
  }

  private async deleteMessage(receiptHandle: string): Promise<void> {
    await this.client.send(new this.sdk.DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle }), { abortSignal: AbortSignal.timeout(this.timeoutMs) });
  }

  async state(): Promise<PipelineState> {
    const base = { pipeline: this.name, driver: 'sqs', queue: this.cfg.queue, priority: this.cfg.priority, ready: this.loopAbort !== undefined, reserved: this.unsettled.size };
    try {
      const out = await this.client.send(new this.sdk.GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
      }), { abortSignal: AbortSignal.timeout(this.timeoutMs) });
      return { ...base, active: Number(out.Attributes?.['ApproximateNumberOfMessages'] ?? 0), delayed: Number(out.Attributes?.['ApproximateNumberOfMessagesDelayed'] ?? 0) };
    } catch (err) {
      return { ...base, active: 0, delayed: 0, errorMessage: describe(err) };
    }
  }

  /** Stops receiving and makes every unsettled message visible again at once (it is not lost). */
  async close(_signal: AbortSignal): Promise<void> {
    await this.pause();
    const left = [...this.unsettled.keys()];
    for (const d of left) {
      d.settled = true;
      clearInterval(d.extender);
    }
    this.unsettled.clear();
    if (left.length > 0) {
      this.logger.info('sqs pipeline closing: unsettled messages returned to the queue', { pipeline: this.name, count: left.length });
      await Promise.allSettled(left.map((d) => this.client.send(new this.sdk.ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl, ReceiptHandle: d.receiptHandle, VisibilityTimeout: 0,
      }), { abortSignal: AbortSignal.timeout(5_000) })));
    }
    this.client.destroy();
  }
}

import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import { RrError, type Logger } from '@rr/plugin-api';
import type { DeliveredJob, Job, JobHeaders, Pipeline, PipelineState } from '@rr/jobs-api';
import { jobToHeaders, messageToJob } from './codec.js';
import type { AmqpPipelineConfig } from './config.js';
import { AmqpErrorCodes } from './errors.js';
import { AmqpLink, type LinkChannels } from './link.js';

type AmqpLib = typeof import('amqplib');

export interface AmqpPipelineOptions {
  readonly lib: AmqpLib;
  readonly name: string;
  readonly driver: string;
  readonly url: string;
  readonly socketOptions: Record<string, unknown>;
  readonly config: AmqpPipelineConfig;
  readonly logger: Logger;
  /** `jobs.timeout`: how long a push may wait for the broker (connection and confirm). */
  readonly pushTimeoutMs: number;
}

/** A delivery handed to rr and not settled yet. */
interface Delivery {
  readonly ch: LinkChannels;
  readonly msg: ConsumeMessage;
  readonly job: Job;
  settled: boolean;
}

/**
 * An amqp pipeline: one connection with a confirm channel (pushes, delayed pushes and requeues all
 * wait for the broker's confirm, and are `mandatory`, so an unroutable push fails instead of
 * vanishing) and a consume channel with `basic.qos(prefetch)`. Deliveries are acked, nacked or
 * requeued only when rr settles them, i.e. after the PHP worker answered.
 */
export class AmqpPipeline implements Pipeline {
  private readonly link: AmqpLink;
  private readonly cfg: AmqpPipelineConfig;
  private readonly log: Logger;
  private deliver: ((job: DeliveredJob) => void) | undefined;
  private consuming = false;
  private consumerTag: { ch: LinkChannels; tag: string } | undefined;
  private ops: Promise<void> = Promise.resolve();
  private readonly inflight = new Set<Delivery>();
  private readonly settledWaiters = new Set<() => void>();
  /** message ids the broker returned as unroutable (a `mandatory` publish with no bound queue). */
  private readonly returned = new Set<string>();
  private delayed = 0;
  private closed = false;

  constructor(private readonly o: AmqpPipelineOptions) {
    this.cfg = o.config;
    this.log = o.logger;
    this.link = new AmqpLink({
      lib: o.lib,
      url: o.url,
      socketOptions: o.socketOptions,
      logger: o.logger,
      pipeline: o.name,
      redialTimeoutS: o.config.redialTimeoutS,
      setup: (ch) => this.declare(ch),
      onUp: (ch) => this.onUp(ch),
      onDown: () => {
        this.consumerTag = undefined;
        // Deliveries of the lost connection are back in the queue: close() need not wait for them.
        for (const w of [...this.settledWaiters]) w();
      },
    });
  }

  /** Connects and declares exchange, queue and binding; throws when RabbitMQ refuses or is down. */
  async start(): Promise<void> {
    await this.link.start();
  }

  private get routingKey(): string {
    return this.cfg.exchange === '' ? this.cfg.queue : this.cfg.routingKey;
  }

  private async declare(ch: LinkChannels): Promise<void> {
    const c = this.cfg;
    ch.pub.on('return', (msg: { properties: { messageId?: string } }) => {
      if (msg.properties.messageId) this.returned.add(msg.properties.messageId);
    });
    // The default exchange ('') exists and cannot be declared or bound to.
    if (c.exchange !== '') {
      await ch.pub.assertExchange(c.exchange, c.exchangeType, { durable: c.exchangeDurable, autoDelete: c.exchangeAutoDelete });
    }
    await ch.pub.assertQueue(c.queue, { durable: c.durable, autoDelete: c.queueAutoDelete, exclusive: c.exclusive, arguments: { ...c.queueHeaders } });
    if (c.exchange !== '') await ch.pub.bindQueue(c.queue, c.exchange, c.routingKey);
  }

  private onUp(ch: LinkChannels): void {
    if (!this.consuming) return;
    this.serial(async () => {
      if (this.consuming && this.link.channels === ch && !this.consumerTag) await this.startConsumer(ch);
    });
  }

  /** consume/pause/close run one at a time, so a pause never races a consumer being started. */
  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.ops.then(fn);
    this.ops = run.catch(() => undefined);
    return run;
  }

  private async startConsumer(ch: LinkChannels): Promise<void> {
    try {
      await ch.sub.prefetch(this.cfg.prefetch);
      const { consumerTag } = await ch.sub.consume(this.cfg.queue, (msg) => this.onMessage(ch, msg), {
        noAck: false,
        consumerTag: this.cfg.consumerId,
      });
      this.consumerTag = { ch, tag: consumerTag };
      this.log.debug('amqp consumer started', { pipeline: this.o.name, queue: this.cfg.queue, consumer: consumerTag });
    } catch (err) {
      // A failed basic.consume closes the channel: the link redials and onUp tries again.
      this.log.error('amqp consume failed', { pipeline: this.o.name, queue: this.cfg.queue, error: (err as Error).message });
    }
  }

  private onMessage(ch: LinkChannels, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (queue deleted, node down): redial redeclares and resumes.
      this.log.warn('amqp consumer cancelled by the broker, redeclaring', { pipeline: this.o.name, queue: this.cfg.queue });
      this.consumerTag = undefined;
      this.link.reset(ch, 'consumer cancelled by the broker');
      return;
    }
    const job = messageToJob(msg.properties.headers, msg.content, msg.properties.messageId as string | undefined, this.o.name, this.cfg.priority);
    const d: Delivery = { ch, msg, job, settled: false };
    if (job.autoAck) {
      // auto_ack: the job is settled on receipt, before a worker runs it (at-most-once by request).
      d.settled = true;
      try { ch.sub.ack(msg); } catch { /* the channel is gone: the broker redelivers */ }
    } else {
      this.inflight.add(d);
    }
    const delivered: DeliveredJob = {
      ...job,
      context: { queue: this.cfg.queue },
      ack: () => this.ack(d),
      nack: (o) => this.nack(d, o),
      requeue: (o) => this.requeue(d, o),
    };
    const deliver = this.deliver;
    if (deliver) deliver(delivered);
  }

  // ---- settling -------------------------------------------------------------------------------

  /** Marks a delivery settled; false when it already was (a second settle does nothing). */
  private take(d: Delivery, what: string): boolean {
    if (d.settled) {
      this.log.debug(`amqp ${what} ignored: job already settled`, { pipeline: this.o.name, id: d.job.id });
      return false;
    }
    d.settled = true;
    this.inflight.delete(d);
    for (const w of [...this.settledWaiters]) w();
    return true;
  }

  private settleError(d: Delivery, what: string, err: unknown): RrError {
    return new RrError(
      AmqpErrorCodes.SETTLE,
      `amqp pipeline "${this.o.name}": ${what} of job ${d.job.id} (${d.job.job}) failed: ${(err as Error).message}; ` +
        'the channel that delivered it is closed, so RabbitMQ has already put the job back and it will run again',
      { cause: err },
    );
  }

  /** Runs a settle call on the channel that delivered the job (delivery tags are per channel). */
  private onChannel(d: Delivery, what: string, fn: () => void): void {
    if (this.link.channels !== d.ch) throw this.settleError(d, what, new Error('connection was replaced after a broker outage'));
    try {
      fn();
    } catch (err) {
      throw this.settleError(d, what, err);
    }
  }

  private async ack(d: Delivery): Promise<void> {
    if (!this.take(d, 'ack')) return;
    this.onChannel(d, 'ack', () => d.ch.sub.ack(d.msg, this.cfg.multipleAck));
    if (this.cfg.multipleAck) {
      // basic.ack(multiple) settled every earlier tag of this channel too: acking one of those again
      // would be a PRECONDITION_FAILED that kills the channel (RoadRunner's multiple_ack can do that).
      const tag = d.msg.fields.deliveryTag;
      for (const other of [...this.inflight]) {
        if (other.ch === d.ch && other.msg.fields.deliveryTag <= tag) this.take(other, 'ack (multiple)');
      }
    }
  }

  private async nack(d: Delivery, o: { readonly requeue: boolean; readonly delaySeconds?: number; readonly message?: string }): Promise<void> {
    if (o.requeue && (o.delaySeconds ?? 0) > 0) {
      return this.requeue(d, { delaySeconds: o.delaySeconds ?? 0 });
    }
    if (!this.take(d, 'nack')) return;
    const brokerRequeue = o.requeue || this.cfg.requeueOnFail;
    this.onChannel(d, 'nack', () => d.ch.sub.nack(d.msg, false, brokerRequeue));
    if (!brokerRequeue) {
      this.log.warn('amqp job failed and was not requeued (requeue_on_fail: false): RabbitMQ drops it, or dead-letters it when the queue has x-dead-letter-exchange', {
        pipeline: this.o.name, id: d.job.id, job: d.job.job, ...(o.message ? { error: o.message } : {}),
      });
    }
  }

  private async requeue(d: Delivery, o: { readonly delaySeconds: number; readonly headers?: JobHeaders }): Promise<void> {
    if (d.settled) return void this.take(d, 'requeue');
    // Copy first (confirmed), then ack: a crash in between gives a duplicate, never a loss.
    const copy: Job = { ...d.job, headers: o.headers ?? d.job.headers, delaySeconds: o.delaySeconds };
    await this.publishWithin(copy, `requeue of job ${d.job.id}`);
    if (!this.take(d, 'requeue')) return;
    try {
      this.onChannel(d, 'ack after requeue', () => d.ch.sub.ack(d.msg));
    } catch (err) {
      this.log.warn('amqp requeue: the copy is stored but the original could not be acked; it will run once more', {
        pipeline: this.o.name, id: d.job.id, error: (err as Error).message,
      });
    }
  }

  // ---- publishing -----------------------------------------------------------------------------

  async push(job: Job): Promise<void> {
    await this.publishWithin(job, `push of job ${job.id} (${job.job})`);
  }

  /**
   * Publishes with a confirm, retrying over reconnects until `jobs.timeout`: a publish cut off by a
   * lost connection may or may not be stored, so a retry can duplicate (at-least-once), never lose.
   */
  private async publishWithin(job: Job, what: string): Promise<void> {
    const signal = AbortSignal.timeout(this.o.pushTimeoutMs);
    let lastErr: Error | undefined;
    for (;;) {
      if (this.closed) throw this.pushError(what, new Error('the pipeline is stopped'));
      let ch: LinkChannels;
      try {
        ch = await this.link.whenUp(signal);
      } catch (err) {
        throw this.pushError(what, lastErr && !signal.aborted ? lastErr : (err as Error));
      }
      try {
        await abortable(this.publish(ch, job), signal, () => new Error(`no confirm from RabbitMQ within jobs.timeout (${this.o.pushTimeoutMs / 1000}s)`));
        return;
      } catch (err) {
        lastErr = err as Error;
        // Only a lost connection is worth a retry; a nack, an unroutable message or the deadline is final.
        if (signal.aborted || this.link.channels === ch || (err as { permanent?: boolean }).permanent) throw this.pushError(what, lastErr);
      }
    }
  }

  private pushError(what: string, err: Error): RrError {
    return new RrError(
      AmqpErrorCodes.PUSH,
      `amqp pipeline "${this.o.name}": ${what} failed: ${err.message}; ` +
        'check that RabbitMQ is running at amqp.addr and that the exchange routes to the queue, then push again',
      { cause: err },
    );
  }

  private async publish(ch: LinkChannels, job: Job): Promise<void> {
    let exchange = this.cfg.exchange;
    let routingKey = this.routingKey;
    const delayMs = Math.round(job.delaySeconds * 1000);
    if (delayMs > 0) {
      routingKey = await this.declareDelayQueue(ch, delayMs);
      exchange = '';
    }
    const messageId = randomUUID();
    await new Promise<void>((resolve, reject) => {
      try {
        ch.pub.publish(exchange, routingKey, Buffer.from(job.payload.buffer, job.payload.byteOffset, job.payload.byteLength), {
          persistent: this.cfg.durable,
          mandatory: true,
          messageId,
          timestamp: Math.floor(Date.now() / 1000),
          headers: jobToHeaders(job),
        }, (err: unknown) => {
          if (err) return reject(err instanceof Error ? err : new Error(String(err)));
          if (this.returned.delete(messageId)) {
            return reject(Object.assign(new Error(`RabbitMQ returned the message as unroutable: exchange "${exchange}" has no queue bound for routing key "${routingKey}"`), { permanent: true }));
          }
          resolve();
        });
      } catch (err) {
        reject(err as Error);
      }
    });
    if (delayMs > 0) {
      this.delayed++;
      setTimeout(() => { this.delayed--; }, delayMs).unref();
    }
  }

  /**
   * Delayed jobs wait in a per-delay queue whose messages expire into the pipeline's exchange (the
   * same names and arguments as RoadRunner). Declared on every delayed push, which also restarts the
   * queue's x-expires clock, so it never expires with a message inside.
   */
  private async declareDelayQueue(ch: LinkChannels, delayMs: number): Promise<string> {
    const name = `delayed-${delayMs}.${this.cfg.exchange}.${this.cfg.queue}`;
    await ch.pub.assertQueue(name, {
      durable: this.cfg.durable,
      autoDelete: false,
      arguments: {
        'x-dead-letter-exchange': this.cfg.exchange,
        'x-dead-letter-routing-key': this.routingKey,
        'x-message-ttl': delayMs,
        'x-expires': delayMs * 2,
      },
    });
    return name;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  consume(deliver: (job: DeliveredJob) => void): Promise<void> {
    return this.serial(async () => {
      if (this.closed) throw new RrError(AmqpErrorCodes.CLOSED, `amqp pipeline "${this.o.name}" is stopped; declare it again to consume`);
      this.deliver = deliver;
      this.consuming = true;
      const ch = this.link.channels;
      if (ch && !this.consumerTag) await this.startConsumer(ch);
      else if (!ch) this.log.warn('amqp consume requested while RabbitMQ is unreachable; it starts on reconnect', { pipeline: this.o.name });
    });
  }

  pause(): Promise<void> {
    return this.serial(() => this.cancelConsumer());
  }

  /** basic.cancel, awaited: deliveries sent before the cancel-ok arrive (and are handed over) first. */
  private async cancelConsumer(): Promise<void> {
    this.consuming = false;
    const c = this.consumerTag;
    this.consumerTag = undefined;
    if (c && this.link.channels === c.ch) {
      try {
        await c.ch.sub.cancel(c.tag);
      } catch (err) {
        this.log.warn('amqp basic.cancel failed', { pipeline: this.o.name, error: (err as Error).message });
      }
    }
  }

  async state(): Promise<PipelineState> {
    let active = 0;
    let errorMessage = this.link.downReason;
    const ch = this.link.channels;
    if (ch) {
      try {
        const q = await abortable(ch.pub.checkQueue(this.cfg.queue), AbortSignal.timeout(2_000), () => new Error('queue check timed out'));
        active = q.messageCount;
      } catch (err) {
        errorMessage = (err as Error).message;
      }
    }
    return {
      pipeline: this.o.name,
      driver: this.o.driver,
      queue: this.cfg.queue,
      priority: this.cfg.priority,
      ready: this.consuming && this.consumerTag !== undefined,
      active,
      delayed: this.delayed,
      reserved: this.inflight.size,
      ...(errorMessage !== undefined ? { errorMessage } : {}),
    };
  }

  /**
   * Stops consuming, lets rr settle what it holds until `signal` fires, then closes the connection:
   * RabbitMQ puts every delivery still unacked back in the queue (at-least-once on stop).
   */
  async close(signal: AbortSignal): Promise<void> {
    if (this.closed) return;
    await this.serial(() => this.cancelConsumer());
    await this.waitSettled(signal);
    this.closed = true;
    const left = [...this.inflight].filter((d) => d.ch === this.link.channels).length;
    if (left > 0) this.log.info('amqp pipeline closing with unsettled jobs; RabbitMQ redelivers them', { pipeline: this.o.name, count: left });
    if (this.cfg.deleteQueueOnStop) await this.deleteQueue();
    await this.link.close();
  }

  /** Same as close (RoadRunner deletes the queue on stop when delete_queue_on_stop is set). */
  destroy(signal: AbortSignal): Promise<void> {
    return this.close(signal);
  }

  private async deleteQueue(): Promise<void> {
    const ch = this.link.channels;
    if (!ch) {
      this.log.warn('amqp delete_queue_on_stop: RabbitMQ unreachable, queue not deleted', { pipeline: this.o.name, queue: this.cfg.queue });
      return;
    }
    try {
      const { messageCount } = await ch.pub.deleteQueue(this.cfg.queue);
      this.log.warn('amqp queue deleted on stop (delete_queue_on_stop): its jobs are dropped deliberately', { pipeline: this.o.name, queue: this.cfg.queue, dropped: messageCount });
    } catch (err) {
      this.log.error('amqp delete_queue_on_stop failed', { pipeline: this.o.name, queue: this.cfg.queue, error: (err as Error).message });
    }
  }

  private waitSettled(signal: AbortSignal): Promise<void> {
    const pending = (): boolean => [...this.inflight].some((d) => d.ch === this.link.channels);
    if (!pending() || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!pending() || signal.aborted) {
          this.settledWaiters.delete(check);
          signal.removeEventListener('abort', check);
          resolve();
        }
      };
      this.settledWaiters.add(check);
      signal.addEventListener('abort', check, { once: true });
    });
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal, why: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(why());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(why());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e as Error); },
    );
  });
}

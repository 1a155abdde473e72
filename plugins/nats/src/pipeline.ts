import { randomUUID } from 'node:crypto';
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg, NatsConnection } from 'nats';
import { RrError, type Logger } from '@rr/plugin-api';
import type { DeliveredJob, Job, JobHeaders, Pipeline, PipelineState } from '@rr/jobs-api';
import type { NatsPipelineConfig } from './config.js';
import { NatsErrorCodes } from './errors.js';

type NatsLib = typeof import('nats');

const H_ID = 'rr_id';
const H_JOB = 'rr_job';
const H_HEADERS = 'rr_headers';
const H_PRIORITY = 'rr_priority';
const H_AUTO_ACK = 'rr_auto_ack';
/** Unix ms before which a delivery is not handed to rr (JetStream has no delayed delivery). */
const H_NOT_BEFORE = 'rr_not_before';

export interface NatsPipelineOptions {
  readonly lib: NatsLib;
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly js: JetStreamClient;
  readonly name: string;
  readonly driver: string;
  readonly config: NatsPipelineConfig;
  readonly logger: Logger;
  readonly pushTimeoutMs: number;
}

interface Delivery {
  readonly m: JsMsg;
  readonly job: Job;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
}

const ATTEMPT_MS = 2_000;
const FETCH_EXPIRES_MS = 1_000;

/**
 * A nats pipeline: a JetStream stream (created with the pipeline's subject when missing) and a durable
 * pull consumer (`rr_<pipeline>`, explicit acks, max_ack_pending = prefetch). While rr holds a job —
 * waiting in its local queue or running on a worker — it sends in-progress acks every third of
 * `ack_wait`, so JetStream never redelivers a job that is still being worked on (RoadRunner sends one
 * at receipt only). Acks are confirmed by the server (ackAck).
 */
export class NatsPipeline implements Pipeline {
  private readonly cfg: NatsPipelineConfig;
  private readonly log: Logger;
  private deliver: ((job: DeliveredJob) => void) | undefined;
  private consuming = false;
  private loop: Promise<void> | undefined;
  private ops: Promise<void> = Promise.resolve();
  private readonly inflight = new Set<Delivery>();
  private readonly settledWaiters = new Set<() => void>();
  private readonly settling = new Set<Promise<void>>();
  private delayed = 0;
  private closed = false;

  constructor(private readonly o: NatsPipelineOptions) {
    this.cfg = o.config;
    this.log = o.logger;
  }

  /** Creates the stream (or adds the subject to it) and the durable consumer, or updates its limits. */
  async declare(): Promise<void> {
    const { jsm, lib } = this.o;
    const c = this.cfg;
    let info;
    try {
      info = await jsm.streams.info(c.stream);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (info === undefined) {
      await jsm.streams.add({ name: c.stream, subjects: [c.subject] });
    } else if (!(info.config.subjects ?? []).includes(c.subject)) {
      await jsm.streams.update(c.stream, { ...info.config, subjects: [...(info.config.subjects ?? []), c.subject] });
    }
    const limits = {
      max_ack_pending: c.prefetch,
      ack_wait: lib.nanos(c.ackWaitMs),
      max_deliver: c.maxDeliver > 0 ? c.maxDeliver : -1,
    };
    let exists = true;
    try {
      await jsm.consumers.info(c.stream, c.consumer);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      exists = false;
    }
    if (exists) {
      await jsm.consumers.update(c.stream, c.consumer, limits);
    } else {
      await jsm.consumers.add(c.stream, {
        durable_name: c.consumer,
        ack_policy: lib.AckPolicy.Explicit,
        deliver_policy: c.deliverNew ? lib.DeliverPolicy.New : lib.DeliverPolicy.All,
        filter_subject: c.subject,
        ...limits,
      });
    }
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.ops.then(fn);
    this.ops = run.catch(() => undefined);
    return run;
  }

  // ---- consuming ------------------------------------------------------------------------------

  consume(deliver: (job: DeliveredJob) => void): Promise<void> {
    return this.serial(async () => {
      if (this.closed) throw new RrError(NatsErrorCodes.CLOSED, `nats pipeline "${this.o.name}" is stopped; declare it again to consume`);
      this.deliver = deliver;
      this.consuming = true;
      if (this.loop) return;
      const consumer = await this.o.js.consumers.get(this.cfg.stream, this.cfg.consumer);
      this.loop = this.pull(consumer).finally(() => { this.loop = undefined; });
    });
  }

  /**
   * Pulls in short fetches (at most the free prefetch slots, expiring after FETCH_EXPIRES_MS) and
   * drains every fetch to its end: a fetch abandoned midway would drop messages the server already
   * sent, and those would only come back after ack_wait. Messages that arrive after a pause are
   * nak-ed at once.
   */
  private async pull(consumer: Consumer): Promise<void> {
    let backoff = 100;
    while (this.consuming && !this.closed) {
      const free = this.cfg.prefetch - this.inflight.size;
      if (free <= 0) {
        await this.waitFreeSlot();
        continue;
      }
      try {
        const batch = await consumer.fetch({ max_messages: free, expires: FETCH_EXPIRES_MS });
        for await (const m of batch) this.onMessage(m);
        backoff = 100;
      } catch (err) {
        if (!this.consuming || this.closed) break;
        this.log.debug('nats fetch failed, retrying', { pipeline: this.o.name, error: (err as Error).message, next_ms: backoff });
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 2_000);
      }
    }
  }

  private waitFreeSlot(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        if (this.inflight.size < this.cfg.prefetch || !this.consuming || this.closed) {
          this.settledWaiters.delete(wake);
          resolve();
        }
      };
      this.settledWaiters.add(wake);
    });
  }

  private onMessage(m: JsMsg): void {
    if (!this.consuming) {
      // Arrived after a pause: give it back now rather than after ack_wait.
      m.nak();
      return;
    }
    const h = m.headers;
    const notBefore = Number(h?.get(H_NOT_BEFORE) ?? '0');
    const wait = notBefore - Date.now();
    if (wait > 0) {
      // A delayed job came early: JetStream redelivers it when it is due.
      m.nak(wait);
      return;
    }
    const prio = Number(h?.get(H_PRIORITY) ?? '0');
    const job: Job = {
      id: h?.get(H_ID) || `${this.cfg.stream}-${m.seq}`,
      job: h?.get(H_JOB) || 'auto',
      payload: m.data,
      headers: parseHeaders(h?.get(H_HEADERS)),
      pipeline: this.o.name,
      priority: Number.isFinite(prio) && prio > 0 ? prio : this.cfg.priority,
      delaySeconds: 0,
      autoAck: h?.get(H_AUTO_ACK) === 'true',
    };
    const d: Delivery = { m, job, settled: false, timer: undefined };
    if (job.autoAck) {
      d.settled = true;
      m.ack();
    } else {
      this.inflight.add(d);
      // In-progress acks while rr holds the job: JetStream restarts ack_wait on each.
      d.timer = setInterval(() => m.working(), Math.max(100, Math.floor(this.cfg.ackWaitMs / 3)));
      d.timer.unref();
    }
    const delivered: DeliveredJob = {
      ...job,
      context: { queue: this.cfg.subject },
      ack: () => this.track(this.ack(d)),
      nack: (o) => this.track(this.nack(d, o)),
      requeue: (o) => this.track(this.requeue(d, o)),
    };
    this.deliver?.(delivered);
  }

  // ---- settling -------------------------------------------------------------------------------

  /** Settle calls still talking to the server: close waits for them too. */
  private track(p: Promise<void>): Promise<void> {
    this.settling.add(p);
    const done = (): void => {
      this.settling.delete(p);
      for (const w of [...this.settledWaiters]) w();
    };
    p.then(done, done);
    return p;
  }

  private take(d: Delivery): boolean {
    if (d.settled) return false;
    d.settled = true;
    if (d.timer) clearInterval(d.timer);
    this.inflight.delete(d);
    // Waiters are woken when the settle call completes (track), not here: close must not go on while
    // an ack is still on its way to the server.
    return true;
  }

  private settleError(d: Delivery, what: string, err: unknown): RrError {
    return new RrError(
      NatsErrorCodes.SETTLE,
      `nats pipeline "${this.o.name}": ${what} of job ${d.job.id} (${d.job.job}) was not confirmed by the server: ${(err as Error).message}; ` +
        'JetStream redelivers the job after ack_wait if it did not get it',
      { cause: err },
    );
  }

  private async ack(d: Delivery): Promise<void> {
    if (!this.take(d)) return;
    try {
      await d.m.ackAck({ timeout: Math.min(this.o.pushTimeoutMs, 10_000) });
    } catch (err) {
      throw this.settleError(d, 'ack', err);
    }
    if (this.cfg.deleteAfterAck) {
      try {
        await this.o.jsm.streams.deleteMessage(this.cfg.stream, d.m.seq, false);
      } catch (err) {
        this.log.warn('nats delete_after_ack: could not delete the acked message', { pipeline: this.o.name, id: d.job.id, seq: d.m.seq, error: (err as Error).message });
      }
    }
  }

  /** nak/term are fire-and-forget in the protocol: a flush tells us the server has them. */
  private async flushed(d: Delivery, what: string): Promise<void> {
    try {
      await withTimeout(this.o.nc.flush(), Math.min(this.o.pushTimeoutMs, 10_000), 'flush timed out');
    } catch (err) {
      throw this.settleError(d, what, err);
    }
  }

  private async nack(d: Delivery, o: { readonly requeue: boolean; readonly delaySeconds?: number; readonly message?: string }): Promise<void> {
    if (!this.take(d)) return;
    const workerFailed = (o as { workerFailed?: boolean }).workerFailed === true;
    const atLimit = this.cfg.maxDeliver > 0 && d.m.info.deliveryCount >= this.cfg.maxDeliver;
    if (o.requeue || workerFailed) {
      // RoadRunner: a crashed/timed-out worker gives Nak (redelivery); a PHP nack with redelivery too.
      d.m.nak(Math.max(0, Math.round((o.delaySeconds ?? 0) * 1000)) || undefined);
      if (atLimit) {
        this.log.error('nats job reached max_deliver: JetStream will not deliver it again', {
          pipeline: this.o.name, id: d.job.id, job: d.job.job, deliveries: d.m.info.deliveryCount, ...(o.message ? { error: o.message } : {}),
        });
      }
      return this.flushed(d, 'nak');
    }
    // No reason text: nats-server before 2.10.x does not parse "+TERM <reason>" and leaves the job unacked.
    d.m.term();
    this.log.warn('nats job nacked without requeue: terminated (JetStream drops it)', { pipeline: this.o.name, id: d.job.id, job: d.job.job, ...(o.message ? { error: o.message } : {}) });
    return this.flushed(d, 'term');
  }

  private async requeue(d: Delivery, o: { readonly delaySeconds: number; readonly headers?: JobHeaders }): Promise<void> {
    if (d.settled) return;
    // Copy first (acked by JetStream), then ack the original: a crash in between duplicates, never loses.
    await this.publishWithin({ ...d.job, headers: o.headers ?? d.job.headers, delaySeconds: o.delaySeconds }, `requeue of job ${d.job.id}`);
    await this.ack(d);
  }

  // ---- publishing -----------------------------------------------------------------------------

  async push(job: Job): Promise<void> {
    await this.publishWithin(job, `push of job ${job.id} (${job.job})`);
  }

  /**
   * Publishes until JetStream acks, up to `jobs.timeout`. Each try reuses one Nats-Msg-Id, so a retry
   * after a lost ack is deduplicated by the stream (within its duplicate window) instead of stored twice.
   */
  private async publishWithin(job: Job, what: string): Promise<void> {
    const h = this.o.lib.headers();
    h.set(H_ID, job.id);
    h.set(H_JOB, job.job);
    h.set(H_HEADERS, JSON.stringify(job.headers ?? {}));
    h.set(H_PRIORITY, String(job.priority));
    h.set(H_AUTO_ACK, String(job.autoAck));
    const delayMs = Math.round(job.delaySeconds * 1000);
    if (delayMs > 0) h.set(H_NOT_BEFORE, String(Date.now() + delayMs));
    const msgID = randomUUID();
    const deadline = Date.now() + this.o.pushTimeoutMs;
    let lastErr: Error = new Error('no attempt');
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        await this.o.js.publish(this.cfg.subject, job.payload, { headers: h, msgID, timeout: Math.min(ATTEMPT_MS, left) });
        if (delayMs > 0) {
          this.delayed++;
          setTimeout(() => { this.delayed--; }, delayMs).unref();
        }
        return;
      } catch (err) {
        lastErr = err as Error;
        const code = (err as { code?: string }).code;
        // 503 = no responders: no stream listens on the subject (deleted) — not worth waiting for.
        if (code === '503') break;
        if (left <= ATTEMPT_MS) break;
        // A connection that is down fails fast: wait a moment before the next try.
        await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
      }
    }
    throw new RrError(
      NatsErrorCodes.PUSH,
      `nats pipeline "${this.o.name}": ${what} failed within jobs.timeout (${this.o.pushTimeoutMs / 1000}s): ${lastErr.message}; ` +
        `check that NATS with JetStream is running and that stream "${this.cfg.stream}" takes subject "${this.cfg.subject}", then push again`,
      { cause: lastErr },
    );
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  pause(): Promise<void> {
    return this.serial(() => this.stopConsumer());
  }

  /** Ends the pull loop; its last fetch (≤ FETCH_EXPIRES_MS) is drained, late arrivals nak-ed. */
  private async stopConsumer(): Promise<void> {
    this.consuming = false;
    for (const w of [...this.settledWaiters]) w();
    await this.loop;
  }

  async state(): Promise<PipelineState> {
    let active = 0;
    let errorMessage: string | undefined;
    try {
      const info = await withTimeout(this.o.jsm.consumers.info(this.cfg.stream, this.cfg.consumer), 2_000, 'consumer info timed out');
      active = info.num_pending;
    } catch (err) {
      errorMessage = (err as Error).message;
    }
    return {
      pipeline: this.o.name,
      driver: this.o.driver,
      queue: this.cfg.subject,
      priority: this.cfg.priority,
      ready: this.consuming && this.loop !== undefined,
      active,
      delayed: this.delayed,
      reserved: this.inflight.size,
      ...(errorMessage !== undefined ? { errorMessage } : {}),
    };
  }

  /**
   * Stops pulling, lets rr settle what it holds until `signal` fires, naks what is left (redelivered
   * at once to the next consumer, not after ack_wait), then closes the connection.
   */
  async close(signal: AbortSignal): Promise<void> {
    if (this.closed) return;
    await this.serial(() => this.stopConsumer());
    await this.waitSettled(signal);
    this.closed = true;
    const left = [...this.inflight];
    for (const d of left) {
      this.take(d);
      d.m.nak();
    }
    if (left.length > 0) this.log.info('nats pipeline closing with unsettled jobs; they were nak-ed for redelivery', { pipeline: this.o.name, count: left.length });
    if (this.cfg.deleteStreamOnStop) {
      try {
        const info = await this.o.jsm.streams.info(this.cfg.stream);
        await this.o.jsm.streams.delete(this.cfg.stream);
        this.log.warn('nats stream deleted on stop (delete_stream_on_stop): its jobs are dropped deliberately', { pipeline: this.o.name, stream: this.cfg.stream, dropped: info.state.messages });
      } catch (err) {
        this.log.error('nats delete_stream_on_stop failed', { pipeline: this.o.name, stream: this.cfg.stream, error: (err as Error).message });
      }
    }
    try {
      await withTimeout(this.o.nc.flush(), 2_000, 'flush timed out');
    } catch {
      // closing anyway: unsettled jobs come back after ack_wait
    }
    await this.o.nc.close();
  }

  destroy(signal: AbortSignal): Promise<void> {
    return this.close(signal);
  }

  private waitSettled(signal: AbortSignal): Promise<void> {
    const idle = (): boolean => this.inflight.size === 0 && this.settling.size === 0;
    if (idle() || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (idle() || signal.aborted) {
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

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; api_error?: { err_code?: number }; message?: string };
  return e.code === '404' || e.api_error?.err_code === 10059 || e.api_error?.err_code === 10014 || /not found/i.test(e.message ?? '');
}

function parseHeaders(s: string | undefined): JobHeaders {
  if (!s) return {};
  try {
    const v = JSON.parse(s) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: Record<string, string[]> = {};
    for (const [k, vals] of Object.entries(v as Record<string, unknown>)) out[k] = Array.isArray(vals) ? vals.map(String) : [String(vals)];
    return out;
  } catch {
    return {};
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, why: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(why)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e as Error); });
  });
}

import type { DeliveredJob, Job, JobHeaders, Pipeline, PipelineContext, PipelineSpec, PipelineState } from '@rr/jobs-api';
import { RrError, type Logger } from '@rr/plugin-api';
import { compileBeanstalkGlobal, compileBeanstalkPipeline, pushTimeoutMs, type BeanstalkGlobalConfig, type BeanstalkPipelineConfig } from './config.js';
import { BeanstalkConnection, BeanstalkReplyError, parseStats } from './connection.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { BeanstalkErrorCodes } from './errors.js';

const MAX_BACKOFF_MS = 5_000;
/** Bound on a control command (watch, release…): beanstalkd answers those at once, so silence means a dead link. */
const COMMAND_TIMEOUT_MS = 5_000;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Rejects when ms pass first; the caller closes the connection it was waiting on. */
function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from beanstalkd within ${ms} ms`)), Math.max(1, ms)))),
  ]).finally(() => clearTimeout(timer));
}

interface Reservation {
  readonly conn: BeanstalkConnection;
  readonly beanId: string;
  toucher: NodeJS.Timeout | undefined;
  settled: boolean;
}

export async function openBeanstalkPipeline(spec: PipelineSpec, ctx: PipelineContext): Promise<Pipeline> {
  const cfg = compileBeanstalkPipeline(spec.config, `jobs.pipelines.${spec.name}.config`);
  const global = compileBeanstalkGlobal(ctx.rootConfig);
  const p = new BeanstalkPipeline(spec.name, cfg, global, pushTimeoutMs(ctx.rootConfig), ctx.logger);
  try {
    await p.connectProducer();
  } catch (err) {
    throw new RrError(
      BeanstalkErrorCodes.CONNECT,
      `beanstalk pipeline "${spec.name}" could not use tube "${cfg.tube}" at ${global.addr}: ${describe(err)}; start beanstalkd or fix beanstalk.addr`,
      { cause: err },
    );
  }
  return p;
}

/**
 * One beanstalkd tube. Each reserved job keeps the connection that reserved it until rr settles it
 * (beanstalkd only lets that connection delete, release or touch it), and new reservations go through
 * other connections, so acks never wait behind a blocking reserve. While rr holds a job it `touch`es it
 * every half TTR: a job longer than its TTR is not handed to another consumer (RoadRunner never touches).
 */
export class BeanstalkPipeline implements Pipeline {
  private producer: Promise<BeanstalkConnection> | undefined;
  private readonly idle: BeanstalkConnection[] = [];
  private readonly reserved = new Map<Reservation, DeliveredJob>();
  private reserving: BeanstalkConnection | undefined;
  private loopAbort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;
  private readonly ttrS: number;

  constructor(
    private readonly name: string,
    private readonly cfg: BeanstalkPipelineConfig,
    private readonly global: BeanstalkGlobalConfig,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.ttrS = Math.max(1, Math.ceil(global.timeoutMs / 1000));
  }

  /** The connection pushes go through (`use <tube>`), opened on demand and after a failure. */
  connectProducer(): Promise<BeanstalkConnection> {
    const current = this.producer;
    if (current !== undefined) return current;
    const opening = (async () => {
      const conn = await BeanstalkConnection.open(this.global.host, this.global.port, Math.min(this.global.timeoutMs, this.timeoutMs));
      try {
        await bounded(conn.expect(`use ${this.cfg.tube}`, 'USING'), this.timeoutMs);
      } catch (err) {
        conn.close();
        throw err;
      }
      return conn;
    })();
    this.producer = opening;
    opening.catch(() => {
      if (this.producer === opening) this.producer = undefined;
    });
    return opening;
  }

  private dropProducer(conn: BeanstalkConnection | undefined): void {
    conn?.close();
    this.producer = undefined;
  }

  async push(job: Job): Promise<void> {
    await this.put(job, job.headers, job.delaySeconds, 'push');
  }

  private async put(job: Job, headers: JobHeaders, delaySeconds: number, what: string): Promise<void> {
    const body = encodeEnvelope(job, headers);
    const deadline = Date.now() + this.timeoutMs;
    let backoff = 50;
    let lastError: unknown;
    while (Date.now() < deadline) {
      let conn: BeanstalkConnection | undefined;
      try {
        conn = await bounded(this.connectProducer(), deadline - Date.now());
        const delay = Math.max(0, Math.trunc(delaySeconds));
        const reply = await bounded(conn.send(`put ${this.cfg.tubePriority} ${delay} ${this.ttrS} ${body.length}`, body), deadline - Date.now());
        if (reply.words[0] === 'INSERTED') return;
        // BURIED (server out of memory), JOB_TOO_BIG, DRAINING: retrying will not help.
        throw new RrError(
          BeanstalkErrorCodes.PUSH,
          `beanstalk pipeline "${this.name}" could not ${what} job ${job.id} to tube "${this.cfg.tube}": beanstalkd answered "${reply.words.join(' ')}"` +
            (reply.words[0] === 'JOB_TOO_BIG' ? '; the job is larger than beanstalkd -z allows' : ''),
        );
      } catch (err) {
        if (err instanceof RrError) throw err;
        lastError = err;
        this.dropProducer(conn);
        await pause(Math.min(backoff, Math.max(0, deadline - Date.now())));
        backoff = Math.min(backoff * 2, 1_000);
      }
    }
    throw new RrError(
      BeanstalkErrorCodes.PUSH,
      `beanstalk pipeline "${this.name}" could not ${what} job ${job.id} to tube "${this.cfg.tube}" within ${this.timeoutMs} ms (jobs.timeout): ${describe(lastError)}; check that beanstalkd answers at ${this.global.addr}`,
      { cause: lastError },
    );
  }

  async consume(deliver: (job: DeliveredJob) => void): Promise<void> {
    if (this.loopAbort !== undefined) return;
    const ac = new AbortController();
    this.loopAbort = ac;
    this.loop = this.reserveLoop(ac.signal, deliver);
  }

  async pause(): Promise<void> {
    const ac = this.loopAbort;
    if (ac === undefined) return;
    this.loopAbort = undefined;
    ac.abort();
    // A blocking reserve cannot be cancelled: closing its connection makes beanstalkd release
    // whatever it might have reserved for it.
    this.reserving?.close();
    this.wakeLoop?.();
    await this.loop;
  }

  private async consumerConnection(): Promise<BeanstalkConnection> {
    for (;;) {
      const c = this.idle.pop();
      if (c === undefined) break;
      if (!c.closed) return c;
    }
    const conn = await BeanstalkConnection.open(this.global.host, this.global.port, Math.min(this.global.timeoutMs, COMMAND_TIMEOUT_MS));
    try {
      await bounded(conn.expect(`watch ${this.cfg.tube}`, 'WATCHING'), COMMAND_TIMEOUT_MS);
      if (this.cfg.tube !== 'default') await bounded(conn.expect('ignore default', 'WATCHING'), COMMAND_TIMEOUT_MS);
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }

  private release(conn: BeanstalkConnection): void {
    if (conn.closed) return;
    if (this.idle.length >= 2) conn.close();
    else this.idle.push(conn);
  }

  private async reserveLoop(signal: AbortSignal, deliver: (job: DeliveredJob) => void): Promise<void> {
    let backoff = 0;
    while (!signal.aborted) {
      if (this.reserved.size >= this.cfg.prefetch) {
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
        this.wakeLoop = undefined;
        continue;
      }
      let conn: BeanstalkConnection | undefined;
      try {
        conn = await this.consumerConnection();
        if (signal.aborted) {
          this.release(conn);
          break;
        }
        this.reserving = conn;
        const reserveS = Math.max(1, this.cfg.reserveTimeoutS);
        // beanstalkd answers TIMED_OUT after reserveS; longer silence means the link is dead.
        const reply = await bounded(conn.send(`reserve-with-timeout ${reserveS}`), reserveS * 1000 + COMMAND_TIMEOUT_MS);
        this.reserving = undefined;
        if (backoff > 0) this.logger.info('beanstalk reserve works again', { pipeline: this.name, tube: this.cfg.tube });
        backoff = 0;
        if (reply.words[0] === 'RESERVED') {
          if (signal.aborted) {
            // Paused while the reply was on its way: give the job back at once.
            await conn.send(`release ${reply.words[1]} ${this.cfg.tubePriority} 0`).catch(() => undefined);
            this.release(conn);
            break;
          }
          this.handOver(conn, reply.words[1]!, reply.body ?? Buffer.alloc(0), deliver);
        } else if (reply.words[0] === 'TIMED_OUT' || reply.words[0] === 'DEADLINE_SOON') {
          this.release(conn);
        } else {
          throw new BeanstalkReplyError('reserve-with-timeout', reply.words.join(' '));
        }
      } catch (err) {
        this.reserving = undefined;
        conn?.close();
        if (signal.aborted) break;
        backoff = Math.min(backoff === 0 ? 100 : backoff * 2, MAX_BACKOFF_MS);
        this.logger.warn('beanstalk reserve failed, retrying', { pipeline: this.name, tube: this.cfg.tube, error: describe(err), retry_in_ms: backoff });
        await pause(backoff, signal);
      }
    }
  }

  private handOver(conn: BeanstalkConnection, beanId: string, body: Buffer, deliver: (job: DeliveredJob) => void): void {
    const env = decodeEnvelope(beanId, body);
    const r: Reservation = { conn, beanId, toucher: undefined, settled: false };
    const base: Job = {
      id: env.id,
      job: env.job,
      payload: env.payload,
      headers: env.headers,
      pipeline: this.name,
      priority: env.priority === 0 ? this.cfg.priority : env.priority,
      delaySeconds: 0,
      autoAck: env.autoAck,
    };
    const settle = async (what: string, action: () => Promise<void>): Promise<void> => {
      if (r.settled) return;
      r.settled = true;
      clearInterval(r.toucher);
      try {
        await bounded(action(), this.timeoutMs);
        this.release(conn);
      } catch (err) {
        // The connection's state is unknown now; closing it makes beanstalkd release the job.
        conn.close();
        this.logger.error(`beanstalk ${what} failed; the job is released and runs again`, { pipeline: this.name, id: base.id, beanstalk_id: beanId, error: describe(err) });
        throw err;
      } finally {
        this.reserved.delete(r);
        this.wakeLoop?.();
      }
    };
    const del = async (): Promise<void> => void (await conn.expect(`delete ${beanId}`, 'DELETED'));
    const job: DeliveredJob = {
      ...base,
      context: { queue: this.cfg.tube },
      ack: () => settle('ack', del),
      nack: (opts) =>
        settle('nack', async () => {
          const workerFailed = opts.workerFailed === true; // no reply at all: crash, exec_ttl, pool error
          if (opts.requeue || workerFailed) {
            // Runs again after the delay (RoadRunner deletes a crashed worker's job). beanstalkd's
            // stats-job `releases` counts the attempts.
            await conn.expect(`release ${beanId} ${this.cfg.tubePriority} ${Math.max(0, Math.trunc(opts.delaySeconds ?? 0))}`, 'RELEASED');
          } else {
            // PHP nack() without redelivery: buried (beanstalkd's dead letter; `kick` brings it back), not deleted.
            await conn.expect(`bury ${beanId} ${this.cfg.tubePriority}`, 'BURIED');
            this.logger.warn('beanstalk job nacked without requeue: buried', { pipeline: this.name, id: base.id, beanstalk_id: beanId, message: opts.message });
          }
        }),
      requeue: ({ delaySeconds, headers }) =>
        settle('requeue', async () => {
          await this.put(base, headers ?? base.headers, delaySeconds, 'requeue');
          await del();
        }),
    };
    this.reserved.set(r, job);
    if (env.autoAck) {
      void settle('auto_ack delete', del).catch(() => undefined);
      deliver({ ...job, ack: async () => {}, nack: async () => {}, requeue: async ({ delaySeconds, headers }) => this.put(base, headers ?? base.headers, delaySeconds, 'requeue') });
      return;
    }
    r.toucher = setInterval(() => {
      conn.send(`touch ${beanId}`).then(
        (reply) => {
          if (reply.words[0] !== 'TOUCHED' && !r.settled) this.logger.warn('beanstalk touch refused; the job may run twice', { pipeline: this.name, id: base.id, reply: reply.words.join(' ') });
        },
        (err: unknown) => {
          if (!r.settled) this.logger.warn('beanstalk touch failed; the job may run twice', { pipeline: this.name, id: base.id, error: describe(err) });
        },
      );
    }, (this.ttrS * 1000) / 2);
    r.toucher.unref();
    deliver(job);
  }

  async state(): Promise<PipelineState> {
    const base = { pipeline: this.name, driver: 'beanstalk', queue: this.cfg.tube, priority: this.cfg.priority, ready: this.loopAbort !== undefined, reserved: this.reserved.size };
    let conn: BeanstalkConnection | undefined;
    try {
      conn = await bounded(this.connectProducer(), this.timeoutMs);
      const reply = await bounded(conn.send(`stats-tube ${this.cfg.tube}`), this.timeoutMs);
      if (reply.words[0] === 'NOT_FOUND') return { ...base, active: 0, delayed: 0 };
      if (reply.words[0] !== 'OK') throw new BeanstalkReplyError('stats-tube', reply.words.join(' '));
      const s = parseStats(reply.body);
      return { ...base, active: Number(s['current-jobs-ready'] ?? 0), delayed: Number(s['current-jobs-delayed'] ?? 0) };
    } catch (err) {
      this.dropProducer(conn);
      return { ...base, active: 0, delayed: 0, errorMessage: describe(err) };
    }
  }

  /** Stops reserving and releases every unsettled job back to the tube at once. */
  async close(_signal: AbortSignal): Promise<void> {
    await this.pause();
    const left = [...this.reserved.keys()].filter((r) => !r.settled);
    for (const r of left) {
      r.settled = true;
      clearInterval(r.toucher);
    }
    this.reserved.clear();
    if (left.length > 0) this.logger.info('beanstalk pipeline closing: unsettled jobs released to the tube', { pipeline: this.name, count: left.length });
    await Promise.allSettled(left.map((r) => bounded(r.conn.send(`release ${r.beanId} ${this.cfg.tubePriority} 0`), 5_000)));
    for (const r of left) r.conn.close();
    for (const c of this.idle.splice(0)) c.close();
    const producer = this.producer;
    this.producer = undefined;
    if (producer !== undefined) (await producer.catch(() => undefined))?.close();
  }
}

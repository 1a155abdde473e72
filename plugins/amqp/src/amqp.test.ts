import { randomUUID } from 'node:crypto';
import { connect as amqpConnect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredJob } from '@rr/jobs-api';
import { compileAmqpGlobalConfig } from './config.js';
import { createAmqpDriver } from './driver.js';
import type { AmqpPipeline } from './pipeline.js';
import { FaultProxy } from './test-support/fault-proxy.js';
import { Ledger, makeJob, pipelineContext, until } from './test-support/harness.js';

// Real RabbitMQ on loopback (ENVIRONMENT.md). Every test uses its own exchange and queue names.
const BROKER = 'amqp://guest:guest@127.0.0.1:5672';
const RUN = randomUUID().slice(0, 8);
let admin: ChannelModel;
const toDelete = { queues: new Set<string>(), exchanges: new Set<string>() };

beforeAll(async () => {
  try {
    admin = await amqpConnect(BROKER);
  } catch (err) {
    throw new Error(`RabbitMQ does not answer at 127.0.0.1:5672 (${(err as Error).message}); start it with: rabbitmq-server -detached`);
  }
});

afterAll(async () => {
  if (!admin) return;
  const ch = await admin.createChannel();
  for (const q of toDelete.queues) await ch.deleteQueue(q).catch(() => undefined);
  for (const e of toDelete.exchanges) await ch.deleteExchange(e).catch(() => undefined);
  await admin.close().catch(() => undefined);
});

let seq = 0;
function names(): { queue: string; exchange: string } {
  const n = ++seq;
  const queue = `rr-test-${RUN}-q${n}`;
  const exchange = `rr-test-${RUN}-x${n}`;
  toDelete.queues.add(queue);
  toDelete.exchanges.add(exchange);
  return { queue, exchange };
}

interface Opened {
  pipeline: AmqpPipeline;
  ctx: ReturnType<typeof pipelineContext>;
  name: string;
}

async function open(config: Record<string, unknown>, opts: { addr?: string; timeoutS?: number; global?: Record<string, unknown> } = {}): Promise<Opened> {
  const global = compileAmqpGlobalConfig({ addr: opts.addr ?? BROKER, ...opts.global }, process.cwd());
  const driver = createAmqpDriver(global);
  const name = `p-${RUN}-${++seq}`;
  const ctx = pipelineContext('amqp', { jobs: { timeout: opts.timeoutS ?? 5 } });
  const pipeline = (await driver.open({ name, driver: 'amqp', config }, ctx)) as AmqpPipeline;
  return { pipeline, ctx, name };
}

const signal = (ms = 5_000): AbortSignal => AbortSignal.timeout(ms);

async function queueDepth(queue: string): Promise<number> {
  const ch = await admin.createChannel();
  try {
    return (await ch.checkQueue(queue)).messageCount;
  } finally {
    await ch.close().catch(() => undefined);
  }
}

describe('amqp driver against RabbitMQ', () => {
  it('pushes N jobs with confirms, delivers them with the worker context, acks each once (queue empty after)', async () => {
    const { queue, exchange } = names();
    const { pipeline, name } = await open({ queue, exchange, routing_key: 'rk', prefetch: 50 });
    const N = 300;
    const ids = Array.from({ length: N }, (_, i) => `job-${i}`);
    await Promise.all(ids.map((id, i) => pipeline.push(makeJob(id, name, { headers: { attempt: [String(i)] }, priority: i % 3 }))));
    expect(await queueDepth(queue)).toBe(N);

    const ledger = new Ledger();
    await pipeline.consume((d) => {
      ledger.record(d);
      void d.ack().then(() => ledger.markAcked(d.id));
    });
    await until(() => ledger.acked.size === N, 10_000, `${N} acks`);
    const first = ledger.deliveries.find((d) => d.id === 'job-7')!;
    expect(first.job).toBe('App\\Job');
    expect(new TextDecoder().decode(first.payload)).toBe('payload-job-7');
    expect(first.headers).toEqual({ attempt: ['7'] });
    expect(first.context).toEqual({ queue });
    expect(first.priority).toBe(1);
    expect(ledger.deliveries.find((d) => d.id === 'job-0')!.priority).toBe(10); // 0 inherits the pipeline's
    expect([...ledger.byId.values()].every((n) => n === 1)).toBe(true);
    await until(async () => (await pipeline.state()).active === 0 && (await pipeline.state()).reserved === 0, 5_000, 'empty queue');
    const st = await pipeline.state();
    expect(st).toMatchObject({ pipeline: name, driver: 'amqp', queue, ready: true, active: 0, reserved: 0 });
    await pipeline.close(signal());
    expect(await queueDepth(queue)).toBe(0);
  });

  it('honours prefetch: at most `prefetch` unsettled deliveries at once', async () => {
    const { queue, exchange } = names();
    const { pipeline, name } = await open({ queue, exchange, prefetch: 5 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => pipeline.push(makeJob(`p${i}`, name))));
    const held: DeliveredJob[] = [];
    await pipeline.consume((d) => held.push(d));
    await until(async () => held.length === 5 && (await pipeline.state()).active === 15, 5_000, '5 held, 15 ready in the broker');
    expect((await pipeline.state()).reserved).toBe(5);
    // Settling one lets exactly one more in.
    await held[0]!.ack();
    await until(async () => held.length === 6 && (await pipeline.state()).active === 14, 5_000, 'one more after an ack');
    expect(held.length).toBe(6);
    await pipeline.pause();
    for (const d of held.slice(1)) await d.ack();
    await pipeline.close(signal());
    expect(await queueDepth(queue)).toBe(14);
  });

  it('a crash (close without settling) puts every unsettled job back; a new consumer gets them all', async () => {
    const { queue, exchange } = names();
    const a = await open({ queue, exchange, prefetch: 10, durable: true });
    await Promise.all(Array.from({ length: 30 }, (_, i) => a.pipeline.push(makeJob(`c${i}`, a.name))));
    const seen: DeliveredJob[] = [];
    await a.pipeline.consume((d) => seen.push(d));
    await until(() => seen.length === 10, 5_000, '10 deliveries');
    await a.pipeline.close(AbortSignal.timeout(1)); // abort at once: nothing settled
    const b = await open({ queue, exchange, prefetch: 100, durable: true });
    const ledger = new Ledger();
    await b.pipeline.consume((d) => { ledger.record(d); void d.ack().then(() => ledger.markAcked(d.id)); });
    await until(() => ledger.acked.size === 30, 5_000, 'all 30 acked after the crash');
    expect(ledger.deliveries.length).toBe(30);
    // Acking a delivery of the closed pipeline fails with a stable code instead of acking anything.
    await expect(seen[0]!.ack()).rejects.toMatchObject({ code: 'RR_ERR_JOBS_AMQP_SETTLE' });
    await b.pipeline.close(signal());
  });

  for (const requeueOnFail of [true, false]) {
    it(`J-CRASH: every 10th job fails its first attempt; requeue_on_fail ${requeueOnFail} → ${requeueOnFail ? 'all acked, 20 twice' : 'those 20 dropped and logged'}`, async () => {
      const { queue, exchange } = names();
      const { pipeline, name, ctx } = await open({ queue, exchange, prefetch: 20, requeue_on_fail: requeueOnFail });
      await Promise.all(Array.from({ length: 200 }, (_, i) => pipeline.push(makeJob(`k${i}`, name))));
      const ledger = new Ledger();
      let failed = 0;
      await pipeline.consume((d) => {
        ledger.record(d);
        const n = Number(d.id.slice(1));
        if (n % 10 === 0 && ledger.attempts(d.id) === 1) {
          // What the jobs plugin does when the worker dies: nack without requeue.
          void d.nack({ requeue: false, message: 'worker killed' }).then(() => failed++);
        } else {
          void d.ack().then(() => ledger.markAcked(d.id));
        }
      });
      const expected = requeueOnFail ? 200 : 180;
      await until(async () => ledger.acked.size === expected && failed === 20 && (await pipeline.state()).active === 0, 10_000, `${expected} acked`);
      expect([...ledger.acked.values()].every((n) => n === 1)).toBe(true);
      const twice = [...ledger.byId.entries()].filter(([, n]) => n === 2).map(([id]) => id);
      expect(twice.length).toBe(requeueOnFail ? 20 : 0);
      const dropLogs = ctx.logger.records.filter((r) => r.level === 'warn' && r.msg.includes('not requeued'));
      expect(dropLogs.length).toBe(requeueOnFail ? 0 : 20);
      expect(await queueDepth(queue)).toBe(0);
      await pipeline.close(signal());
    });
  }

  it('J-REQUEUE: requeue with a header and a 1 s delay, 3 times → 4 deliveries, header intact, ≥ 3 s, acked once', async () => {
    const { queue, exchange } = names();
    toDelete.queues.add(`delayed-1000.${exchange}.${queue}`);
    const { pipeline, name } = await open({ queue, exchange, routing_key: 'r' });
    const times: number[] = [];
    const headersSeen: Array<Record<string, readonly string[]>> = [];
    let acked = 0;
    await pipeline.consume((d) => {
      times.push(Date.now());
      headersSeen.push({ ...d.headers });
      const attempts = Number(d.headers['attempts']?.[0] ?? '0');
      if (attempts < 3) void d.requeue({ delaySeconds: 1, headers: { ...d.headers, attempts: [String(attempts + 1)] } });
      else void d.ack().then(() => acked++);
    });
    await pipeline.push(makeJob('rq', name, { headers: { trace: ['t-1'] } }));
    await until(() => acked === 1, 10_000, 'the 4th delivery acked');
    expect(times.length).toBe(4);
    for (let i = 1; i < 4; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(950);
    expect(headersSeen.map((h) => h['attempts']?.[0])).toEqual([undefined, '1', '2', '3']);
    expect(headersSeen.every((h) => h['trace']?.[0] === 't-1')).toBe(true);
    expect((await pipeline.state()).delayed).toBe(0);
    await pipeline.close(signal());
    expect(await queueDepth(queue)).toBe(0);
  });

  it('a delayed push is confirmed, counted as delayed, and not delivered before its delay', async () => {
    const { queue, exchange } = names();
    toDelete.queues.add(`delayed-1000.${exchange}.${queue}`);
    const { pipeline, name } = await open({ queue, exchange });
    const got: number[] = [];
    await pipeline.consume((d) => { got.push(Date.now()); void d.ack(); });
    const t0 = Date.now();
    await pipeline.push(makeJob('late', name, { delaySeconds: 1 }));
    expect((await pipeline.state()).delayed).toBe(1);
    await until(() => got.length === 1, 5_000, 'delayed delivery');
    expect(got[0]! - t0).toBeGreaterThanOrEqual(950);
    await pipeline.close(signal());
  });

  it('J-PAUSE-RESUME: nothing is delivered after pause() returns; all jobs acked exactly once over 12 pause/resume cycles', async () => {
    const { queue, exchange } = names();
    const { pipeline, name } = await open({ queue, exchange, prefetch: 20 });
    const N = 1500;
    await Promise.all(Array.from({ length: N }, (_, i) => pipeline.push(makeJob(`pr${i}`, name))));
    const ledger = new Ledger();
    let paused = false;
    let deliveredWhilePaused = 0;
    const deliver = (d: DeliveredJob): void => {
      if (paused) deliveredWhilePaused++;
      ledger.record(d);
      // Settle a little later, like a worker would.
      setImmediate(() => void d.ack().then(() => ledger.markAcked(d.id)));
    };
    await pipeline.consume(deliver);
    for (let i = 0; i < 12 && ledger.acked.size < N; i++) {
      const target = ledger.deliveries.length + 40;
      await until(() => ledger.deliveries.length >= target || ledger.deliveries.length >= N, 5_000, 'progress');
      await pipeline.pause();
      paused = true;
      expect((await pipeline.state()).ready).toBe(false);
      // Jobs handed over before the pause can still be settled while paused.
      await until(async () => (await pipeline.state()).reserved === 0, 5_000, 'in-flight acks while paused');
      paused = false;
      await pipeline.consume(deliver);
    }
    await until(() => ledger.acked.size === N, 15_000, `${N} acked`);
    expect(deliveredWhilePaused).toBe(0);
    expect(ledger.deliveries.length).toBe(N);
    expect([...ledger.acked.values()].every((n) => n === 1)).toBe(true);
    await pipeline.close(signal());
  });

  it('close waits for in-flight jobs to be acked; jobs not handed over stay in the queue (J-STOP / J-DESTROY)', async () => {
    const { queue, exchange } = names();
    const a = await open({ queue, exchange, prefetch: 4, durable: true });
    await Promise.all(Array.from({ length: 40 }, (_, i) => a.pipeline.push(makeJob(`s${i}`, a.name))));
    const running: DeliveredJob[] = [];
    await a.pipeline.consume((d) => running.push(d));
    await until(() => running.length === 4, 5_000, '4 running');
    let closed = false;
    const closing = a.pipeline.close(signal(10_000)).then(() => { closed = true; });
    // The 4 running jobs finish after stop began; their acks still reach the broker.
    await until(async () => (await a.pipeline.state()).ready === false, 2_000, 'consumer cancelled');
    expect(closed).toBe(false);
    for (const d of running) await d.ack();
    await closing;
    expect(running.length).toBe(4);
    expect(await queueDepth(queue)).toBe(36);
    const b = await open({ queue, exchange, prefetch: 50, durable: true });
    const ledger = new Ledger();
    await b.pipeline.consume((d) => { ledger.record(d); void d.ack().then(() => ledger.markAcked(d.id)); });
    await until(() => ledger.acked.size === 36, 5_000, 'the other 36');
    expect(running.some((d) => ledger.byId.has(d.id))).toBe(false);
    await b.pipeline.close(signal());
  });

  it('delete_queue_on_stop deletes the queue (and logs the deliberate drop)', async () => {
    const { queue, exchange } = names();
    const { pipeline, name, ctx } = await open({ queue, exchange, delete_queue_on_stop: true });
    await pipeline.push(makeJob('d1', name));
    await pipeline.destroy(signal());
    const ch = await admin.createChannel();
    ch.on('error', () => undefined);
    await expect(ch.checkQueue(queue)).rejects.toThrow(/NOT_FOUND/);
    expect(ctx.logger.records.some((r) => r.msg.includes('delete_queue_on_stop') && r.fields?.['dropped'] === 1)).toBe(true);
  });

  it('an unroutable push fails (mandatory + confirm) instead of vanishing', async () => {
    const { queue, exchange } = names();
    const { pipeline, name } = await open({ queue, exchange, routing_key: 'bound' });
    const ch = await admin.createChannel();
    await ch.unbindQueue(queue, exchange, 'bound');
    await ch.close();
    await expect(pipeline.push(makeJob('lost', name))).rejects.toMatchObject({ code: 'RR_ERR_JOBS_AMQP_PUSH', message: expect.stringMatching(/unroutable/) });
    await pipeline.close(signal());
  });

  it('multiple_ack: acking a later tag settles earlier ones; their own ack later does not kill the channel', async () => {
    const { queue, exchange } = names();
    const { pipeline, name } = await open({ queue, exchange, prefetch: 10, multiple_ack: true });
    await Promise.all(Array.from({ length: 5 }, (_, i) => pipeline.push(makeJob(`m${i}`, name))));
    const got: DeliveredJob[] = [];
    await pipeline.consume((d) => got.push(d));
    await until(() => got.length === 5, 5_000, '5 deliveries');
    await got[4]!.ack();
    await until(async () => (await pipeline.state()).reserved === 0, 2_000, 'all 5 settled by one ack');
    for (const d of got.slice(0, 4)) await d.ack();
    await pipeline.push(makeJob('m-after', name));
    await until(() => got.length === 6, 5_000, 'channel still alive');
    await got[5]!.ack();
    await until(async () => (await queueDepth(queue)) === 0 && (await pipeline.state()).reserved === 0, 3_000, 'empty');
    await pipeline.close(signal());
  });

  it('J-POISON: on a quorum queue, x-delivery-limit (queue_headers) stops a job that always fails; 100 others acked', async () => {
    const { queue, exchange } = names();
    const { pipeline, name } = await open({
      queue, exchange, durable: true, requeue_on_fail: true, prefetch: 10,
      queue_headers: { 'x-queue-type': 'quorum', 'x-delivery-limit': 2 },
    });
    await pipeline.push(makeJob('poison', name));
    await Promise.all(Array.from({ length: 100 }, (_, i) => pipeline.push(makeJob(`ok${i}`, name))));
    const ledger = new Ledger();
    let poisonNacks = 0;
    await pipeline.consume((d) => {
      ledger.record(d);
      if (d.id === 'poison') void d.nack({ requeue: false, message: 'crash' }).then(() => poisonNacks++);
      else void d.ack().then(() => ledger.markAcked(d.id));
    });
    await until(async () => ledger.acked.size === 100 && (await queueDepth(queue)) === 0 && (await pipeline.state()).reserved === 0, 15_000, '100 acked, poison gone');
    // delivery-limit 2: the first delivery plus 2 redeliveries, then RabbitMQ drops (or dead-letters) it.
    expect(ledger.attempts('poison')).toBe(3);
    expect(poisonNacks).toBe(3);
    await pipeline.close(signal());
  });

  it('the broker cancelling the consumer (queue deleted) makes the driver redeclare and resume; stale acks fail cleanly', async () => {
    const { queue, exchange } = names();
    const { pipeline, name, ctx } = await open({ queue, exchange, prefetch: 5 });
    await pipeline.push(makeJob('before', name));
    const got: DeliveredJob[] = [];
    await pipeline.consume((d) => got.push(d));
    await until(() => got.length === 1, 5_000, 'first delivery');
    const ch = await admin.createChannel();
    await ch.deleteQueue(queue);
    await ch.close();
    await until(() => ctx.logger.records.some((r) => r.msg === 'amqp connection restored'), 5_000, 'redial after the cancel');
    await expect(got[0]!.ack()).rejects.toMatchObject({ code: 'RR_ERR_JOBS_AMQP_SETTLE' });
    await pipeline.push(makeJob('after', name));
    await until(() => got.some((d) => d.id === 'after'), 5_000, 'delivery on the redeclared queue');
    await got.find((d) => d.id === 'after')!.ack();
    await until(async () => (await pipeline.state()).reserved === 0 && (await queueDepth(queue)) === 0, 3_000, 'settled');
    await pipeline.close(signal());
  });

  it('opening against an unreachable broker fails with RR_ERR_JOBS_AMQP_OPEN', async () => {
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: 5672 });
    proxy.refuse();
    const { queue, exchange } = names();
    await expect(open({ queue, exchange }, { addr: `amqp://guest:guest@127.0.0.1:${proxy.port}` })).rejects.toMatchObject({ code: 'RR_ERR_JOBS_AMQP_OPEN' });
    await proxy.close();
  });
});

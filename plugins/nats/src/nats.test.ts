import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredJob } from '@rr/jobs-api';
import { FaultProxy } from '../../amqp/src/test-support/fault-proxy.js';
import { Ledger, makeJob, pipelineContext, until } from '../../amqp/src/test-support/harness.js';
import { compileNatsGlobalConfig } from './config.js';
import { createNatsDriver } from './driver.js';
import type { NatsPipeline } from './pipeline.js';

// Real NATS with JetStream on 127.0.0.1:4222 (ENVIRONMENT.md). Each test has its own stream.
const RUN = randomUUID().slice(0, 8);
let admin: NatsConnection;
const streams = new Set<string>();

beforeAll(async () => {
  try {
    admin = await connect({ servers: '127.0.0.1:4222', timeout: 3_000 });
  } catch (err) {
    throw new Error(`NATS does not answer at 127.0.0.1:4222 (${(err as Error).message}); start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log`);
  }
});

afterAll(async () => {
  if (!admin) return;
  const jsm = await admin.jetstreamManager();
  for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
  await admin.close();
});

let seq = 0;
function names(): { stream: string; subject: string } {
  const n = ++seq;
  const stream = `rr_test_${RUN}_${n}`;
  streams.add(stream);
  return { stream, subject: `rr.test.${RUN}.${n}` };
}

async function open(config: Record<string, unknown>, opts: { addr?: string; timeoutS?: number; name?: string; global?: Record<string, unknown> } = {}) {
  const driver = createNatsDriver(compileNatsGlobalConfig({ addr: opts.addr ?? 'nats://127.0.0.1:4222', ...opts.global }));
  const name = opts.name ?? `p${++seq}`;
  const ctx = pipelineContext('nats', { jobs: { timeout: opts.timeoutS ?? 5 } });
  const pipeline = (await driver.open({ name, driver: 'nats', config }, ctx)) as NatsPipeline;
  return { pipeline, ctx, name };
}

const signal = (ms = 5_000): AbortSignal => AbortSignal.timeout(ms);

async function pending(stream: string, consumer: string): Promise<{ waiting: number; unacked: number }> {
  const jsm = await admin.jetstreamManager();
  const info = await jsm.consumers.info(stream, consumer);
  return { waiting: info.num_pending, unacked: info.num_ack_pending };
}

describe('nats driver against JetStream', () => {
  it('pushes N jobs (JetStream acks), delivers them with headers and context, acks each once (server-confirmed)', async () => {
    const { stream, subject } = names();
    const { pipeline, name } = await open({ stream, subject, prefetch: 50 });
    const N = 300;
    await Promise.all(Array.from({ length: N }, (_, i) => pipeline.push(makeJob(`j${i}`, name, { headers: { n: [String(i)] }, priority: i % 3 }))));
    const ledger = new Ledger();
    await pipeline.consume((d) => { ledger.record(d); void d.ack().then(() => ledger.markAcked(d.id)); });
    await until(() => ledger.acked.size === N, 10_000, `${N} acks`);
    const d7 = ledger.deliveries.find((d) => d.id === 'j7')!;
    expect(d7).toMatchObject({ job: 'App\\Job', headers: { n: ['7'] }, priority: 1, context: { queue: subject }, pipeline: name });
    expect(new TextDecoder().decode(d7.payload)).toBe('payload-j7');
    expect(ledger.deliveries.find((d) => d.id === 'j0')!.priority).toBe(10);
    expect([...ledger.byId.values()].every((n) => n === 1)).toBe(true);
    expect(await pending(stream, `rr_${name}`)).toEqual({ waiting: 0, unacked: 0 });
    expect(await pipeline.state()).toMatchObject({ pipeline: name, driver: 'nats', queue: subject, ready: true, active: 0, reserved: 0 });
    await pipeline.close(signal());
  });

  it('honours prefetch (max_ack_pending): at most `prefetch` unsettled deliveries', async () => {
    const { stream, subject } = names();
    const { pipeline, name } = await open({ stream, subject, prefetch: 5 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => pipeline.push(makeJob(`p${i}`, name))));
    const held: DeliveredJob[] = [];
    await pipeline.consume((d) => held.push(d));
    await until(async () => held.length === 5 && (await pending(stream, `rr_${name}`)).waiting === 15, 5_000, '5 held');
    await held[0]!.ack();
    await until(async () => held.length === 6 && (await pending(stream, `rr_${name}`)).waiting === 14, 5_000, 'one more after an ack');
    expect((await pipeline.state()).reserved).toBe(5);
    await pipeline.pause();
    for (const d of held.slice(1)) await d.ack();
    await pipeline.close(signal());
  });

  it('crash (close without settling) gives every unsettled job back at once; a new rr gets them', async () => {
    const { stream, subject } = names();
    const a = await open({ stream, subject, prefetch: 10 }, { name: 'crashy' });
    await Promise.all(Array.from({ length: 30 }, (_, i) => a.pipeline.push(makeJob(`c${i}`, a.name))));
    const seen: DeliveredJob[] = [];
    await a.pipeline.consume((d) => seen.push(d));
    await until(() => seen.length === 10, 5_000, '10 deliveries');
    await a.pipeline.close(AbortSignal.timeout(1));
    const b = await open({ stream, subject, prefetch: 100 }, { name: 'crashy' }); // same durable consumer
    const ledger = new Ledger();
    await b.pipeline.consume((d) => { ledger.record(d); void d.ack().then(() => ledger.markAcked(d.id)); });
    await until(() => ledger.acked.size === 30, 5_000, 'all 30 after the crash (no ack_wait delay)');
    expect(ledger.deliveries.length).toBe(30);
    await b.pipeline.close(signal());
  });

  it('J-CRASH: a worker failure (workerFailed) is redelivered; a PHP nack without requeue terminates and is logged', async () => {
    const { stream, subject } = names();
    const { pipeline, name, ctx } = await open({ stream, subject, prefetch: 20 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => pipeline.push(makeJob(`k${i}`, name))));
    const ledger = new Ledger();
    await pipeline.consume((d) => {
      ledger.record(d);
      const n = Number(d.id.slice(1));
      if (n % 10 === 0 && ledger.attempts(d.id) === 1) void d.nack({ requeue: false, message: 'worker killed', workerFailed: true } as Parameters<DeliveredJob['nack']>[0]);
      else if (n % 10 === 5) void d.nack({ requeue: false, message: 'no thanks' });
      else void d.ack().then(() => ledger.markAcked(d.id));
    });
    await until(async () => ledger.acked.size === 90 && (await pending(stream, `rr_${name}`)).unacked === 0, 10_000, "90 acked");
    for (let i = 0; i < 100; i += 10) expect(ledger.attempts(`k${i}`)).toBe(2);
    for (let i = 5; i < 100; i += 10) expect(ledger.attempts(`k${i}`)).toBe(1);
    expect(ctx.logger.records.filter((r) => r.msg.includes('terminated')).length).toBe(10);
    await pipeline.close(signal());
  });

  it('J-REQUEUE: requeue with a header and a 1 s delay, 3 times → 4 deliveries, header intact, ≥ 3 s, acked once', async () => {
    const { stream, subject } = names();
    const { pipeline, name } = await open({ stream, subject });
    const times: number[] = [];
    const seen: Array<Record<string, readonly string[]>> = [];
    let acked = 0;
    await pipeline.consume((d) => {
      times.push(Date.now());
      seen.push({ ...d.headers });
      const a = Number(d.headers['attempts']?.[0] ?? '0');
      if (a < 3) void d.requeue({ delaySeconds: 1, headers: { ...d.headers, attempts: [String(a + 1)] } });
      else void d.ack().then(() => acked++);
    });
    await pipeline.push(makeJob('rq', name, { headers: { trace: ['t'] } }));
    await until(() => acked === 1, 10_000, '4th delivery acked');
    expect(times.length).toBe(4);
    for (let i = 1; i < 4; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(950);
    expect(seen.map((h) => h['attempts']?.[0])).toEqual([undefined, '1', '2', '3']);
    expect(seen.every((h) => h['trace']?.[0] === 't')).toBe(true);
    await until(async () => (await pending(stream, `rr_${name}`)).unacked === 0, 3_000, 'nothing unacked');
    await pipeline.close(signal());
  });

  it('B-NATS (b): ack_wait 1 s, jobs held 3 s (waiting + running) are not redelivered thanks to in-progress acks', async () => {
    const { stream, subject } = names();
    const { pipeline, name } = await open({ stream, subject, ack_wait: '1s', prefetch: 10 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => pipeline.push(makeJob(`long${i}`, name))));
    const ledger = new Ledger();
    const held: DeliveredJob[] = [];
    await pipeline.consume((d) => { ledger.record(d); held.push(d); });
    await until(() => held.length === 5, 5_000, '5 held');
    const t0 = Date.now();
    await until(() => Date.now() - t0 >= 3_000, 4_000, 'three ack_waits passing'); // the condition under test is time itself
    expect(ledger.deliveries.length).toBe(5);
    for (const d of held) await d.ack();
    expect(await pending(stream, `rr_${name}`)).toEqual({ waiting: 0, unacked: 0 });
    await pipeline.close(signal());
  });

  it('J-POISON: max_deliver 3 stops a job that always crashes its worker (logged); 100 others acked', async () => {
    const { stream, subject } = names();
    const { pipeline, name, ctx } = await open({ stream, subject, max_deliver: 3, prefetch: 10 });
    await pipeline.push(makeJob('poison', name));
    await Promise.all(Array.from({ length: 100 }, (_, i) => pipeline.push(makeJob(`ok${i}`, name))));
    const ledger = new Ledger();
    await pipeline.consume((d) => {
      ledger.record(d);
      if (d.id === 'poison') void d.nack({ requeue: false, workerFailed: true, message: 'crash' } as Parameters<DeliveredJob['nack']>[0]);
      else void d.ack().then(() => ledger.markAcked(d.id));
    });
    await until(() => ledger.acked.size === 100 && ctx.logger.records.some((r) => r.msg.includes('max_deliver')), 10_000, '100 acked, poison stopped');
    expect(ledger.attempts('poison')).toBe(3);
    await pipeline.close(signal());
  });

  it('J-PAUSE-RESUME: nothing delivered after pause() returns; all acked exactly once over 10 cycles', async () => {
    const { stream, subject } = names();
    const { pipeline, name } = await open({ stream, subject, prefetch: 20 });
    const N = 1000;
    await Promise.all(Array.from({ length: N }, (_, i) => pipeline.push(makeJob(`pr${i}`, name))));
    const ledger = new Ledger();
    let paused = false;
    let whilePaused = 0;
    const deliver = (d: DeliveredJob): void => {
      if (paused) whilePaused++;
      ledger.record(d);
      setImmediate(() => void d.ack().then(() => ledger.markAcked(d.id)));
    };
    await pipeline.consume(deliver);
    for (let i = 0; i < 10 && ledger.acked.size < N; i++) {
      const target = Math.min(N, ledger.deliveries.length + 40);
      await until(() => ledger.deliveries.length >= target, 5_000, 'progress');
      await pipeline.pause();
      paused = true;
      await until(async () => (await pipeline.state()).reserved === 0, 5_000, 'in-flight acks while paused');
      paused = false;
      await pipeline.consume(deliver);
    }
    await until(() => ledger.acked.size === N, 15_000, `${N} acked`);
    expect(whilePaused).toBe(0);
    expect([...ledger.acked.values()].every((n) => n === 1)).toBe(true);
    await pipeline.close(signal());
  });

  it('close waits for in-flight acks; delete_stream_on_stop deletes the stream and logs it', async () => {
    const { stream, subject } = names();
    const { pipeline, name, ctx } = await open({ stream, subject, prefetch: 4, delete_stream_on_stop: true, delete_after_ack: true });
    await Promise.all(Array.from({ length: 10 }, (_, i) => pipeline.push(makeJob(`s${i}`, name))));
    const running: DeliveredJob[] = [];
    await pipeline.consume((d) => running.push(d));
    await until(() => running.length === 4, 5_000, '4 running');
    let closed = false;
    const closing = pipeline.close(signal(10_000)).then(() => { closed = true; });
    await until(async () => (await pipeline.state()).ready === false, 2_000, 'stopped pulling');
    expect(closed).toBe(false);
    for (const d of running) await d.ack(); // acks still confirmed while closing
    await closing;
    const jsm = await admin.jetstreamManager();
    await expect(jsm.streams.info(stream)).rejects.toThrow(/not found/i);
    // delete_after_ack removed the 4 acked messages, so 6 were dropped with the stream.
    expect(ctx.logger.records.find((r) => r.msg.includes('delete_stream_on_stop'))?.fields).toMatchObject({ dropped: 6 });
  });

  it('opening against an unreachable server fails with RR_ERR_JOBS_NATS_OPEN', async () => {
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: 4222 });
    proxy.refuse();
    const { stream, subject } = names();
    await expect(open({ stream, subject }, { addr: `nats://127.0.0.1:${proxy.port}`, global: { connect_timeout: '1s' } })).rejects.toMatchObject({ code: 'RR_ERR_JOBS_NATS_OPEN' });
    await proxy.close();
  });
});

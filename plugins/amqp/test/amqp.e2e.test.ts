// The amqp driver under the real jobs plugin: PHP producers push over RPC (rr's PHP library), PHP
// workers consume and write a ledger by job id; RabbitMQ on 127.0.0.1:5672.
import { randomUUID } from 'node:crypto';
import { connect as amqpConnect } from 'amqplib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { doneCounts, startJobsRr, type JobsTestRr } from '../../jobs/src/test-kernel.js';
import { amqpPlugin } from '../src/plugin.js';

const RUN = randomUUID().slice(0, 8);
const queues: string[] = [];
const exchange = `rr-e2e-${RUN}`;
const open: JobsTestRr[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((r) => r.close())); });
afterAll(async () => {
  const conn = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
  const ch = await conn.createChannel();
  for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
  await ch.deleteExchange(exchange).catch(() => undefined);
  await conn.close();
});

async function rr(config: Record<string, unknown> = {}, numWorkers = 2): Promise<{ r: JobsTestRr; queue: string }> {
  const queue = `rr-e2e-${RUN}-${queues.length}`;
  queues.push(queue, `delayed-1000.${exchange}.${queue}`);
  const r = await startJobsRr(
    { consume: ['p'], pipelines: { p: { driver: 'amqp', config: { queue, exchange, routing_key: queue, prefetch: 10, ...config } } } },
    { drivers: [amqpPlugin], numWorkers, extra: { amqp: { addr: 'amqp://guest:guest@127.0.0.1:5672' } } },
  );
  open.push(r);
  return { r, queue };
}

describe('jobs on amqp with PHP workers', () => {
  it('N jobs pushed from PHP are processed exactly once; stat reports the amqp queue', async () => {
    const { r, queue } = await rr();
    const N = 200;
    expect(await r.php([{ op: 'pushMany', pipeline: 'p', name: 'ok', count: N / 2, prefix: 'a' }, { op: 'pushBatch', pipeline: 'p', name: 'ok', count: N / 2, prefix: 'b' }])).toEqual([N / 2, N / 2]);
    const l = await r.until((x) => doneCounts(x).size >= N);
    expect([...doneCounts(l).values()].every((c) => c === 1)).toBe(true);
    expect(l.find((e) => e.id === 'a7')).toMatchObject({ job: 'ok', pipeline: 'p', driver: 'amqp', payload: '7' });
    const [stat] = await r.php([{ op: 'stat' }]) as [Array<Record<string, unknown>>];
    expect(stat[0]).toMatchObject({ pipeline: 'p', driver: 'amqp', queue, active: 0, reserved: 0, ready: true });
  });

  for (const requeueOnFail of [true, false]) {
    it(`J-CRASH (row 6): 10 of 100 workers die on the first attempt; requeue_on_fail ${requeueOnFail} → ${requeueOnFail ? 'all acked, those 10 twice' : 'those 10 dropped, each logged'}`, async () => {
      const { r } = await rr({ requeue_on_fail: requeueOnFail });
      await r.php([
        { op: 'pushMany', pipeline: 'p', name: 'ok', count: 90, prefix: 'ok' },
        ...Array.from({ length: 10 }, (_, i) => ({ op: 'push', pipeline: 'p', name: 'crashOnce', id: `crash${i}` })),
      ]);
      const expected = requeueOnFail ? 100 : 90;
      await r.until((x) => doneCounts(x).size >= expected, 20_000);
      if (!requeueOnFail) await r.until(() => r.logs.filter((x) => String(x.msg).includes('not requeued')).length === 10);
      // Every crashing job has started (and crashed) by now: with requeue_on_fail its retry is done too.
      const l = await r.until((x) => Array.from({ length: 10 }, (_, i) => `crash${i}`).every((id) => x.some((e) => e.id === id && e.event === 'start')));
      const counts = doneCounts(l);
      expect(counts.size).toBe(expected);
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
      const starts = (id: string): number => l.filter((e) => e.id === id && e.event === 'start').length;
      for (let i = 0; i < 10; i++) expect(starts(`crash${i}`)).toBe(requeueOnFail ? 2 : 1);
      const [stat] = await r.php([{ op: 'stat' }]) as [Array<Record<string, unknown>>];
      expect(stat[0]).toMatchObject({ active: 0, reserved: 0 });
    });
  }

  it('requeue with delay and headers ×3 (row 33): 4 deliveries, header intact, ≥ 3 s, acked once', async () => {
    const { r } = await rr();
    await r.php([{ op: 'push', pipeline: 'p', name: 'requeue3', id: 'rq', headers: { keep: ['me', 'too'] } }]);
    const l = await r.until((x) => x.some((e) => e.id === 'rq' && e.reply === 'ack'), 10_000);
    const starts = l.filter((e) => e.event === 'start');
    expect(starts.map((e) => e.headers['attempts']?.[0] ?? '0')).toEqual(['0', '1', '2', '3']);
    expect(starts.every((e) => e.headers['keep']?.join(',') === 'me,too')).toBe(true);
    expect(starts[3]!.t - starts[0]!.t).toBeGreaterThanOrEqual(3);
    expect(l.filter((e) => e.reply === 'ack')).toHaveLength(1);
  });

  it('stop with jobs running (row 9): running jobs finish and are acked, the rest stay in RabbitMQ for the next rr', async () => {
    const { r, queue } = await rr({ durable: true, prefetch: 20 });
    await r.php([
      ...Array.from({ length: 2 }, (_, i) => ({ op: 'push', pipeline: 'p', name: 'slow', id: `slow${i}` })),
      { op: 'pushMany', pipeline: 'p', name: 'ok', count: 30, prefix: 'w' },
    ]);
    // Both workers busy on slow jobs (queued first), the 30 others wait in rr's local queue.
    await r.until((x) => x.filter((e) => e.event === 'start' && e.job === 'slow').length === 2);
    const stopping = r.stop();
    r.release();
    await stopping;
    const l1 = r.ledger();
    const done1 = doneCounts(l1);
    expect(done1.get('slow0')).toBe(1);
    expect(done1.get('slow1')).toBe(1);
    // A second rr on the same queue gets every job that did not finish, none of the finished ones.
    const r2 = await startJobsRr(
      { consume: ['p'], pipelines: { p: { driver: 'amqp', config: { queue, exchange, routing_key: queue, prefetch: 20, durable: true } } } },
      { drivers: [amqpPlugin], numWorkers: 2, dir: r.dir, extra: { amqp: { addr: 'amqp://guest:guest@127.0.0.1:5672' } } },
    );
    open.push(r2);
    const l2 = await r2.until((x) => doneCounts(x).size >= 32, 15_000);
    const all = doneCounts(l2);
    expect(all.size).toBe(32);
    expect([...all.values()].every((c) => c === 1)).toBe(true);
  });
});

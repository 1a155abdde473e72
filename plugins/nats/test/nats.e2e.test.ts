// The nats driver under the real jobs plugin: PHP producers push over RPC, PHP workers consume and
// write a ledger by job id; NATS JetStream on 127.0.0.1:4222.
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { doneCounts, startJobsRr, type JobsTestRr } from '../../jobs/src/test-kernel.js';
import { natsPlugin } from '../src/plugin.js';

const RUN = randomUUID().slice(0, 8);
const streams: string[] = [];
const open: JobsTestRr[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((r) => r.close())); });
afterAll(async () => {
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const jsm = await nc.jetstreamManager();
  for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
  await nc.close();
});

function pipelineConfig(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { stream: `rr_e2e_${RUN}_${n}`, subject: `rr.e2e.${RUN}.${n}`, prefetch: 10, ...extra };
}

async function rr(config: Record<string, unknown>, opts: { dir?: string } = {}): Promise<JobsTestRr> {
  streams.push(String(config['stream']));
  const r = await startJobsRr(
    { consume: ['p'], pipelines: { p: { driver: 'nats', config } } },
    { drivers: [natsPlugin], numWorkers: 2, extra: { nats: { addr: 'nats://127.0.0.1:4222' } }, ...(opts.dir ? { dir: opts.dir } : {}) },
  );
  open.push(r);
  return r;
}

describe('jobs on nats with PHP workers', () => {
  it('N jobs pushed from PHP are processed exactly once; stat reports the subject', async () => {
    const cfg = pipelineConfig(1);
    const r = await rr(cfg);
    const N = 200;
    expect(await r.php([{ op: 'pushMany', pipeline: 'p', name: 'ok', count: N / 2, prefix: 'a' }, { op: 'pushBatch', pipeline: 'p', name: 'ok', count: N / 2, prefix: 'b' }])).toEqual([N / 2, N / 2]);
    const l = await r.until((x) => doneCounts(x).size >= N);
    expect([...doneCounts(l).values()].every((c) => c === 1)).toBe(true);
    expect(l.find((e) => e.id === 'a7')).toMatchObject({ job: 'ok', pipeline: 'p', driver: 'nats', payload: '7' });
    const [stat] = await r.php([{ op: 'stat' }]) as [Array<Record<string, unknown>>];
    expect(stat[0]).toMatchObject({ pipeline: 'p', driver: 'nats', queue: cfg['subject'], active: 0, reserved: 0, ready: true });
  });

  it('J-CRASH (row 6): 10 of 100 workers die on the first attempt → redelivered (Nak), all acked once; a PHP nack terminates', async () => {
    const r = await rr(pipelineConfig(2));
    await r.php([
      { op: 'pushMany', pipeline: 'p', name: 'ok', count: 90, prefix: 'ok' },
      ...Array.from({ length: 10 }, (_, i) => ({ op: 'push', pipeline: 'p', name: 'crashOnce', id: `crash${i}` })),
      { op: 'push', pipeline: 'p', name: 'nack', id: 'nacked' },
    ]);
    const l = await r.until((x) => doneCounts(x).size >= 100 && x.some((e) => e.id === 'nacked' && e.event === 'done'), 20_000);
    const counts = doneCounts(l);
    for (let i = 0; i < 10; i++) {
      expect(counts.get(`crash${i}`)).toBe(1);
      expect(l.filter((e) => e.id === `crash${i}` && e.event === 'start')).toHaveLength(2);
    }
    expect(l.filter((e) => e.id === 'nacked' && e.event === 'start')).toHaveLength(1);
    await r.until(() => r.logs.some((x) => String(x.msg).includes('terminated') && x.fields?.['id'] === 'nacked'));
  });

  it('requeue with delay and headers ×3 (row 33): 4 deliveries, header intact, ≥ 3 s, acked once', async () => {
    const r = await rr(pipelineConfig(3));
    await r.php([{ op: 'push', pipeline: 'p', name: 'requeue3', id: 'rq', headers: { keep: ['me', 'too'] } }]);
    const l = await r.until((x) => x.some((e) => e.id === 'rq' && e.reply === 'ack'), 10_000);
    const starts = l.filter((e) => e.event === 'start');
    expect(starts.map((e) => e.headers['attempts']?.[0] ?? '0')).toEqual(['0', '1', '2', '3']);
    expect(starts.every((e) => e.headers['keep']?.join(',') === 'me,too')).toBe(true);
    expect(starts[3]!.t - starts[0]!.t).toBeGreaterThanOrEqual(3);
    expect(l.filter((e) => e.reply === 'ack')).toHaveLength(1);
  });

  it('stop with jobs running (row 9): running jobs finish and are acked; the rest go to the next rr, none twice', async () => {
    const cfg = pipelineConfig(4, { prefetch: 20 });
    const r = await rr(cfg);
    await r.php([
      ...Array.from({ length: 2 }, (_, i) => ({ op: 'push', pipeline: 'p', name: 'slow', id: `slow${i}` })),
      { op: 'pushMany', pipeline: 'p', name: 'ok', count: 30, prefix: 'w' },
    ]);
    await r.until((x) => x.filter((e) => e.event === 'start' && e.job === 'slow').length === 2);
    const stopping = r.stop();
    r.release();
    await stopping;
    const first = doneCounts(r.ledger());
    expect(first.get('slow0')).toBe(1);
    expect(first.get('slow1')).toBe(1);
    const r2 = await rr(cfg, { dir: r.dir });
    const l2 = await r2.until((x) => doneCounts(x).size >= 32, 15_000);
    const all = doneCounts(l2);
    expect(all.size).toBe(32);
    expect([...all.values()].every((c) => c === 1)).toBe(true);
  });
});

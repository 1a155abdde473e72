// The sqs driver under the real jobs plugin: PHP producers push over RPC, PHP workers consume and
// write a ledger by job id; fauxqs stands in for SQS.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { doneCounts, startJobsRr, type JobsTestRr } from '../../jobs/src/test-kernel.js';
import { sqsPlugin } from '../src/plugin.js';
import { startFauxqs, type Fauxqs } from './support/fauxqs.js';

let sqs: Fauxqs;
const open: JobsTestRr[] = [];
beforeAll(async () => {
  sqs = await startFauxqs();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await sqs?.stop();
});

async function rr(config: Record<string, unknown> = {}): Promise<JobsTestRr> {
  const r = await startJobsRr(
    { consume: ['p'], pipelines: { p: { driver: 'sqs', config: { queue: `rr-e2e-${randomUUID().slice(0, 8)}`, prefetch: 10, ...config } } } },
    { drivers: [sqsPlugin], numWorkers: 2, extra: { sqs: { key: 'k', secret: 's', region: 'us-east-1', endpoint: sqs.endpoint } } },
  );
  open.push(r);
  return r;
}

describe('jobs on sqs with PHP workers', () => {
  it('100 jobs pushed from PHP are processed exactly once; the worker sees driver sqs', async () => {
    const r = await rr();
    await r.php([{ op: 'pushMany', pipeline: 'p', name: 'ok', count: 100, prefix: 'a' }]);
    const l = await r.until((x) => doneCounts(x).size >= 100, 20_000);
    expect([...doneCounts(l).values()].every((c) => c === 1)).toBe(true);
    expect(l.find((e) => e.id === 'a7')).toMatchObject({ job: 'ok', pipeline: 'p', driver: 'sqs', payload: '7' });
  });

  it('J-CRASH (row 6): 10 of 100 workers die on the first attempt; all 100 acked, those 10 run twice', async () => {
    const r = await rr();
    await r.php([
      { op: 'pushMany', pipeline: 'p', name: 'ok', count: 90, prefix: 'ok' },
      ...Array.from({ length: 10 }, (_, i) => ({ op: 'push', pipeline: 'p', name: 'crashOnce', id: `crash${i}` })),
    ]);
    const l = await r.until((x) => doneCounts(x).size >= 100, 30_000);
    const counts = doneCounts(l);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    for (let i = 0; i < 10; i++) expect(l.filter((e) => e.id === `crash${i}` && e.event === 'start')).toHaveLength(2);
  });

  it('requeue with delay and headers ×3 (row 33): 4 deliveries, header intact, ≥ 3 s, acked once', async () => {
    const r = await rr();
    await r.php([{ op: 'push', pipeline: 'p', name: 'requeue3', id: 'rq', headers: { keep: ['me', 'too'] } }]);
    const l = await r.until((x) => x.some((e) => e.id === 'rq' && e.reply === 'ack'), 15_000);
    const starts = l.filter((e) => e.event === 'start');
    expect(starts.map((e) => e.headers['attempts']?.[0] ?? '0')).toEqual(['0', '1', '2', '3']);
    expect(starts.every((e) => e.headers['keep']?.join(',') === 'me,too')).toBe(true);
    expect(starts[3]!.t - starts[0]!.t).toBeGreaterThanOrEqual(3);
    expect(l.filter((e) => e.reply === 'ack')).toHaveLength(1);
  });
});

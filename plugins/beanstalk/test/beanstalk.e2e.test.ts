// The beanstalk driver under the real jobs plugin: PHP producers push over RPC, PHP workers consume and
// write a ledger by job id; Debian's beanstalkd on a free port.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { doneCounts, startJobsRr, type JobsTestRr } from '../../jobs/src/test-kernel.js';
import { beanstalkPlugin } from '../src/plugin.js';
import { startBeanstalkd, type Beanstalkd } from './support/beanstalkd.js';

let bs: Beanstalkd;
const open: JobsTestRr[] = [];
beforeAll(async () => {
  bs = await startBeanstalkd();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await bs?.stop();
});

async function rr(config: Record<string, unknown> = {}): Promise<JobsTestRr> {
  const r = await startJobsRr(
    { consume: ['p'], pipelines: { p: { driver: 'beanstalk', config: { tube: `rr-e2e-${randomUUID().slice(0, 8)}`, reserve_timeout: '1s', ...config } } } },
    { drivers: [beanstalkPlugin], numWorkers: 2, extra: { beanstalk: { addr: bs.addr } } },
  );
  open.push(r);
  return r;
}

describe('jobs on beanstalk with PHP workers', () => {
  it('100 jobs pushed from PHP are processed exactly once; the worker sees driver beanstalk', async () => {
    const r = await rr();
    await r.php([{ op: 'pushMany', pipeline: 'p', name: 'ok', count: 100, prefix: 'a' }]);
    const l = await r.until((x) => doneCounts(x).size >= 100, 20_000);
    expect([...doneCounts(l).values()].every((c) => c === 1)).toBe(true);
    expect(l.find((e) => e.id === 'a7')).toMatchObject({ job: 'ok', pipeline: 'p', driver: 'beanstalk', payload: '7' });
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

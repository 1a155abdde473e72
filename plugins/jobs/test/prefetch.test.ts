// The jobs plugin keeps one extra job per worker waiting in the pool (so a worker's next job is
// there when it answers). Those jobs must be taken back, never half-run, when the pipeline is paused,
// destroyed or stopped, or when a better-priority job arrives. Real PHP workers, ledger by job id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boltdbPlugin } from '@rr/plugin-boltdb';
import { memoryPlugin } from '@rr/plugin-memory';
import { afterEach, describe, expect, it } from 'vitest';
import { doneCounts, startJobsRr, type JobsTestRr } from '../src/test-kernel.js';

const open: JobsTestRr[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function memoryRr(): Promise<JobsTestRr> {
  const r = await startJobsRr({ consume: ['p'], pipelines: { p: { driver: 'memory', config: {} } } }, { drivers: [memoryPlugin], numWorkers: 2 });
  open.push(r);
  return r;
}

async function boltRr(d: string): Promise<JobsTestRr> {
  const r = await startJobsRr({ consume: ['q'], pipelines: { q: { driver: 'boltdb', config: { file: join(d, 'jobs.db'), prefetch: 100 } } } }, { drivers: [boltdbPlugin], dir: d, numWorkers: 2 });
  open.push(r);
  return r;
}

const starts = (r: JobsTestRr): string[] => r.ledger().filter((e) => e.event === 'start').map((e) => e.id);

describe('extra jobs waiting in the pool', () => {
  it('pause takes back the jobs waiting in the pool: only the two running jobs start until resume, then every job runs once', async () => {
    const r = await memoryRr();
    // Both workers hold a slow job; w0 and w1 are then handed to the pool and wait there, the rest locally.
    await r.php([{ op: 'pushMany', pipeline: 'p', name: 'slow', count: 2, prefix: 's' }, { op: 'pushMany', pipeline: 'p', name: 'ok', count: 10, prefix: 'w' }]);
    await r.until((x) => x.filter((e) => e.event === 'start').length === 2);
    await r.php([{ op: 'pause', pipelines: ['p'] }]);
    r.release();
    await r.until((x) => doneCounts(x).size >= 2);
    // A withdrawn job would have been picked by a worker the moment its slow job finished. Ask rr
    // something that needs both workers' answers to be processed first (Stat after the jobs settled).
    await r.until(() => r.logs.some((x) => x.msg === 'pipeline paused'));
    const [stat] = await r.php([{ op: 'stat' }]) as [Array<Record<string, unknown>>];
    expect(stat[0]).toMatchObject({ ready: false });
    expect(starts(r).sort()).toEqual(['s0', 's1']);
    await r.php([{ op: 'resume', pipelines: ['p'] }]);
    const l = await r.until((x) => doneCounts(x).size === 12);
    expect([...doneCounts(l).values()].every((c) => c === 1)).toBe(true);
    // FIFO kept across the withdrawal: w0 and w1 went back in front of w2..w9, so they are the first
    // job of each worker after the resume. (Not "the next two starts in the ledger": the two workers
    // log concurrently, and one may start w2 before the other's start of w0 reaches the file.)
    const firstPerWorker = new Map<number, string>();
    for (const e of l.filter((x) => x.event === 'start').slice(2)) if (!firstPerWorker.has(e.pid)) firstPerWorker.set(e.pid, e.id);
    expect([...firstPerWorker.values()].sort()).toEqual(['w0', 'w1']);
    expect(r.logs.filter((x) => x.level === 'error')).toEqual([]);
  });

  it('a better-priority job overtakes jobs waiting in the pool (one worker)', async () => {
    const r = await startJobsRr({ consume: ['p'], pipelines: { p: { driver: 'memory', config: {} } } }, { drivers: [memoryPlugin], numWorkers: 1 });
    open.push(r);
    await r.php([{ op: 'push', pipeline: 'p', name: 'slow', id: 'busy' }]);
    await r.until((x) => x.some((e) => e.id === 'busy' && e.event === 'start'));
    // `first` goes straight to the pool's queue (the extra slot); `urgent` must still run before it.
    await r.php([{ op: 'push', pipeline: 'p', name: 'ok', id: 'first', priority: 20 }]);
    await r.php([{ op: 'push', pipeline: 'p', name: 'ok', id: 'urgent', priority: 1 }]);
    r.release();
    await r.until((x) => doneCounts(x).size === 3);
    expect(starts(r)).toEqual(['busy', 'urgent', 'first']);
  });

  it('stop returns the jobs waiting in the pool to boltdb; after a restart each job runs exactly once', async () => {
    const d = mkdtempSync(join(tmpdir(), 'rr-jobs-prefetch-'));
    dirs.push(d);
    const r = await boltRr(d);
    await r.php([{ op: 'pushMany', pipeline: 'q', name: 'slow', count: 2, prefix: 's' }, { op: 'pushMany', pipeline: 'q', name: 'ok', count: 20, prefix: 'w' }]);
    await r.until((x) => x.filter((e) => e.event === 'start').length === 2);
    const stopping = r.stop();
    r.release();
    await stopping;
    expect(starts(r).sort()).toEqual(['s0', 's1']);
    expect(r.logs.filter((x) => x.msg === 'job could not be settled with its driver')).toEqual([]);
    const again = await boltRr(d);
    const l = await again.until((x) => doneCounts(x).size === 22);
    expect([...doneCounts(l).values()].every((c) => c === 1)).toBe(true);
  });
});

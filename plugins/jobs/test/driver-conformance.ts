// Test support (not shipped, not a test file itself): the scenarios every jobs driver must pass under
// the real jobs plugin with PHP producers and workers. A driver's e2e file calls
// describeDriverConformance once and keeps only its driver-specific cases.
import type { AnyPlugin } from '@rr/plugin-api';
import { afterEach, describe, expect, it } from 'vitest';
import { doneCounts, startJobsRr, type JobsTestRr } from '../src/test-kernel.js';

/** What a worker crash (row 6) does to the crashed job on this driver, under this pipeline config. */
export type CrashCase =
  | { readonly outcome: 'redelivered'; readonly config?: Record<string, unknown> }
  /** `log`: part of the message rr logs once per dropped job; the test waits for all ten. */
  | { readonly outcome: 'dropped'; readonly config?: Record<string, unknown>; readonly log: string };

export interface DriverConformance {
  /** The `driver` key of the pipeline, and what the PHP worker must see as the task's driver. */
  readonly driver: string;
  readonly plugin: AnyPlugin;
  /** A fresh pipeline config (its own queue/topic/stream) on each call: tests never share a queue. */
  pipelineConfig(): Record<string, unknown>;
  /** The driver's root config sections; called when a test starts, so servers from beforeAll are up. */
  extra(): Record<string, unknown>;
  readonly expectations: {
    readonly exactlyOnce: {
      readonly jobs: number;
      /** Push half of the jobs one by one and half in one pushBatch call. */
      readonly batch: boolean;
    };
    /** When set, `jobs.Stat` is checked: after the exactly-once run it reports this queue, idle;
     *  after the crash runs nothing is left active or reserved. */
    readonly statQueue?: (pipelineConfig: Record<string, unknown>) => string;
    readonly crash: readonly CrashCase[];
    /** Whether a requeue delay holds the job back (3 requeues with 1 s each: ≥ 3 s). */
    readonly delay: boolean;
    /** Row 9, where the driver keeps unstarted jobs across a stop: `config` is added to the pipeline
     *  config (e.g. a durable queue); both rr share it. No case when absent. */
    readonly stopWithJobsRunning?: { readonly config?: Record<string, unknown> };
    /** Bounds for the ledger waits, in ms. */
    readonly timeouts: { readonly exactlyOnce: number; readonly crash: number; readonly requeue: number };
  };
}

const CRASHING = 10;
const HEALTHY = 90;

export function describeDriverConformance(d: DriverConformance): void {
  const x = d.expectations;
  describe(`jobs on ${d.driver} with PHP workers: driver conformance`, () => {
    const open: JobsTestRr[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((r) => r.close()));
    });

    async function rr(config: Record<string, unknown>, dir?: string): Promise<JobsTestRr> {
      const r = await startJobsRr(
        { consume: ['p'], pipelines: { p: { driver: d.driver, config } } },
        { drivers: [d.plugin], numWorkers: 2, extra: d.extra(), ...(dir !== undefined ? { dir } : {}) },
      );
      open.push(r);
      return r;
    }

    async function stat(r: JobsTestRr): Promise<Record<string, unknown> | undefined> {
      const [s] = await r.php([{ op: 'stat' }]) as [Array<Record<string, unknown>>];
      return s[0];
    }

    const n = x.exactlyOnce.jobs;
    const how = x.exactlyOnce.batch ? ' (half one by one, half in one batch)' : '';
    it(`${n} jobs pushed from PHP${how} are processed exactly once; the worker sees driver ${d.driver}${x.statQueue ? '; stat reports the queue' : ''}`, async () => {
      const cfg = d.pipelineConfig();
      const r = await rr(cfg);
      const ops = x.exactlyOnce.batch
        ? [{ op: 'pushMany', pipeline: 'p', name: 'ok', count: n / 2, prefix: 'a' }, { op: 'pushBatch', pipeline: 'p', name: 'ok', count: n / 2, prefix: 'b' }]
        : [{ op: 'pushMany', pipeline: 'p', name: 'ok', count: n, prefix: 'a' }];
      expect(await r.php(ops)).toEqual(ops.map((o) => o.count));
      const l = await r.until((led) => doneCounts(led).size >= n, x.timeouts.exactlyOnce);
      expect([...doneCounts(l).values()].every((c) => c === 1)).toBe(true);
      expect(l.find((e) => e.id === 'a7')).toMatchObject({ job: 'ok', pipeline: 'p', driver: d.driver, payload: '7' });
      if (x.statQueue) expect(await stat(r)).toMatchObject({ pipeline: 'p', driver: d.driver, queue: x.statQueue(cfg), active: 0, reserved: 0, ready: true });
    });

    for (const c of x.crash) {
      const redelivered = c.outcome === 'redelivered';
      const under = c.config ? ` (${Object.entries(c.config).map(([k, v]) => `${k} ${String(v)}`).join(', ')})` : '';
      it(`J-CRASH (row 6): ${CRASHING} of ${CRASHING + HEALTHY} workers die on the first attempt${under} → ${redelivered ? `redelivered: all acked once, those ${CRASHING} run twice` : `dropped: those ${CRASHING} run once, each logged; the rest acked once`}`, async () => {
        const r = await rr({ ...d.pipelineConfig(), ...c.config });
        const crashIds = Array.from({ length: CRASHING }, (_, i) => `crash${i}`);
        await r.php([
          { op: 'pushMany', pipeline: 'p', name: 'ok', count: HEALTHY, prefix: 'ok' },
          ...crashIds.map((id) => ({ op: 'push', pipeline: 'p', name: 'crashOnce', id })),
        ]);
        const expected = redelivered ? CRASHING + HEALTHY : HEALTHY;
        await r.until((led) => doneCounts(led).size >= expected, x.timeouts.crash);
        if (c.outcome === 'dropped') await r.until(() => r.logs.filter((e) => String(e.msg).includes(c.log)).length === CRASHING);
        // Every crashing job has started (and crashed) by now: when redelivered, its retry is done too.
        const l = await r.until((led) => crashIds.every((id) => led.some((e) => e.id === id && e.event === 'start')));
        const counts = doneCounts(l);
        expect(counts.size).toBe(expected);
        expect([...counts.values()].every((k) => k === 1)).toBe(true);
        for (const id of crashIds) expect(l.filter((e) => e.id === id && e.event === 'start')).toHaveLength(redelivered ? 2 : 1);
        if (x.statQueue) expect(await stat(r)).toMatchObject({ active: 0, reserved: 0 });
      });
    }

    it(`requeue with ${x.delay ? 'delay and ' : ''}headers ×3 (row 33): 4 deliveries, header intact${x.delay ? ', ≥ 3 s' : ''}, acked once${x.delay ? '' : ` (${d.driver} has no delay)`}`, async () => {
      const r = await rr(d.pipelineConfig());
      await r.php([{ op: 'push', pipeline: 'p', name: 'requeue3', id: 'rq', headers: { keep: ['me', 'too'] } }]);
      const l = await r.until((led) => led.some((e) => e.id === 'rq' && e.reply === 'ack'), x.timeouts.requeue);
      const starts = l.filter((e) => e.event === 'start');
      expect(starts.map((e) => e.headers['attempts']?.[0] ?? '0')).toEqual(['0', '1', '2', '3']);
      expect(starts.every((e) => e.headers['keep']?.join(',') === 'me,too')).toBe(true);
      if (x.delay) expect(starts[3]!.t - starts[0]!.t).toBeGreaterThanOrEqual(3);
      expect(l.filter((e) => e.reply === 'ack')).toHaveLength(1);
    });

    const stop = x.stopWithJobsRunning;
    if (stop) {
      it('stop with jobs running (row 9): running jobs finish and are acked; the rest go to the next rr on the same queue, none twice', async () => {
        const cfg = { ...d.pipelineConfig(), prefetch: 20, ...stop.config };
        const r = await rr(cfg);
        await r.php([
          ...Array.from({ length: 2 }, (_, i) => ({ op: 'push', pipeline: 'p', name: 'slow', id: `slow${i}` })),
          { op: 'pushMany', pipeline: 'p', name: 'ok', count: 30, prefix: 'w' },
        ]);
        // Both workers busy on slow jobs (queued first), the 30 others wait in rr's local queue.
        await r.until((led) => led.filter((e) => e.event === 'start' && e.job === 'slow').length === 2);
        const stopping = r.stop();
        r.release();
        await stopping;
        const first = doneCounts(r.ledger());
        expect(first.get('slow0')).toBe(1);
        expect(first.get('slow1')).toBe(1);
        // A second rr on the same queue (and dir, so the same ledger) gets every job that did not
        // finish, none of the finished ones.
        const r2 = await rr(cfg, r.dir);
        const l2 = await r2.until((led) => doneCounts(led).size >= 32, 15_000);
        const all = doneCounts(l2);
        expect(all.size).toBe(32);
        expect([...all.values()].every((k) => k === 1)).toBe(true);
      });
    }
  });
}

import { afterEach, describe, expect, it } from 'vitest';
import { PoolErrorCodes } from '../src/errors.js';
import type { StaticPool } from '../src/pool.js';
import { createTestPool, destroyTestPools, meta, payload, rejection, text, until } from './helpers.js';

afterEach(destroyTestPools);



function onPoolChange(pool: StaticPool): (cb: () => void) => () => void {
  return (cb) => {
    pool.events.on('workerReady', cb);
    pool.events.on('workerExit', cb);
    return () => { pool.events.off('workerReady', cb); pool.events.off('workerExit', cb); };
  };
}

function exitOf(pool: StaticPool, pid: number): Promise<void> {
  return new Promise((resolve) => {
    const on = (p: number): void => { if (p === pid) { pool.events.off('workerExit', on); resolve(); } };
    pool.events.on('workerExit', on);
  });
}

describe('max_jobs', () => {
  it('rotates workers under concurrent load without losing a request; no worker serves more than max_jobs', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 4, max_jobs: 3 } });
    const perPid = new Map<number, number>();
    const total = 300;
    let next = 0;
    let ok = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < total) {
        const i = next++;
        const r = await pool.exec(payload('echo', `r${i}`));
        expect(text(r).body).toBe(`r${i}`);
        const m = meta(r);
        expect(m.execs).toBeLessThanOrEqual(3);
        perPid.set(m.pid, (perPid.get(m.pid) ?? 0) + 1);
        ok++;
      }
    }));
    expect(ok).toBe(total);
    expect(Math.max(...perPid.values())).toBeLessThanOrEqual(3);
    expect(perPid.size).toBeGreaterThanOrEqual(total / 3);
    await until(() => pool.workers().length === 4 && pool.workers().every((w) => w.status === 'ready'), onPoolChange(pool), 5_000, '4 ready workers');
  });

  it('adds 0–14 % jitter per worker', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 3, max_jobs: 100 }, extra: { random: (() => { let i = 0; return () => [0, 0.5, 0.999][i++ % 3]!; })() } });
    expect(pool.workers()).toHaveLength(3);
    const maxExecs = logger.records.filter((r) => r.msg === 'worker is allocated').map((r) => r.fields?.['max_execs']).sort();
    expect(maxExecs).toEqual([100, 107, 113]);
  });
});

describe('supervisor', () => {
  it('max_worker_memory: a worker over the limit finishes its request, then is replaced within a few ticks', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 1, supervisor: { watch_tick: '100ms', max_worker_memory: 40 } } });
    const [pid] = pool.workers().map((w) => w.pid);
    const gone = exitOf(pool, pid!);
    const r = await pool.exec(payload('alloc:64', 'big'));
    expect(text(r).body).toBe('big');
    await gone;
    expect(logger.records.find((x) => x.msg === 'memory_limit')?.fields).toMatchObject({ pid, max_worker_memory_mb: 40 });
    await until(() => pool.workers().length === 1 && pool.workers()[0]!.status === 'ready', onPoolChange(pool), 5_000, 'a replacement');
    expect(meta(await pool.exec(payload('echo', 'x'))).pid).not.toBe(pid);
  });

  it('ttl: a busy worker finishes its request before it is replaced', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 1, supervisor: { watch_tick: '50ms', ttl: '200ms' } } });
    const [pid] = pool.workers().map((w) => w.pid);
    const gone = exitOf(pool, pid!);
    const r = await pool.exec(payload('sleep:400', 'long'));
    expect(meta(r).pid).toBe(pid);
    await gone;
    expect(logger.messages('debug')).toContain('ttl');
  });

  it('idle_ttl: only a worker that has served and then idled is replaced', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 2, supervisor: { watch_tick: '50ms', idle_ttl: '150ms' } } });
    const r = await pool.exec(payload('echo', 'x'));
    const used = meta(r).pid;
    const unused = pool.workers().map((w) => w.pid).find((p) => p !== used)!;
    await exitOf(pool, used);
    expect(pool.workers().map((w) => w.pid)).toContain(unused);
  });
});

describe('allocation limits', () => {
  it('allocate_timeout: a request that gets no worker in time fails with RR_ERR_POOL_NO_FREE_WORKERS', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1, allocate_timeout: '200ms' } });
    const busy = pool.exec(payload('sleep:800', 'a'));
    const started = Date.now();
    const err = await rejection(pool.exec(payload('echo', 'b')));
    const elapsed = Date.now() - started;
    expect(err.code).toBe(PoolErrorCodes.NO_FREE_WORKERS);
    expect(err.message).toContain('allocate_timeout (200 ms)');
    expect(err.message).toContain('1 of 1 workers were busy');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(700);
    expect(text(await busy).body).toBe('a');
  });

  it('allocate_timeout counts for each queued request from its own arrival: earlier, later, and after a timeout', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1, allocate_timeout: '300ms' } });
    const waited = (p: Promise<unknown>): Promise<{ code: string | undefined; ms: number }> => {
      const t = Date.now();
      return rejection(p).then((e) => ({ code: e.code, ms: Date.now() - t }));
    };
    const first = pool.exec(payload('sleep:100', 'first'));
    // The worker takes q1 when `first` ends (~100 ms) and is then busy for 1.5 s; q2 keeps waiting.
    const q1 = pool.exec(payload('sleep:1500', 'q1'));
    const q2 = waited(pool.exec(payload('echo', 'q2')));
    expect(text(await first).body).toBe('first');
    // Arrives ~100 ms after q2: still waiting when q2 times out, it must time out on its own.
    const q3 = waited(pool.exec(payload('echo', 'q3')));
    for (const r of [await q2, await q3]) {
      expect(r.code).toBe(PoolErrorCodes.NO_FREE_WORKERS);
      expect(r.ms).toBeGreaterThanOrEqual(290);
      expect(r.ms).toBeLessThan(900);
    }
    // Arrives when nothing is queued any more.
    const q4 = await waited(pool.exec(payload('echo', 'q4')));
    expect(q4.code).toBe(PoolErrorCodes.NO_FREE_WORKERS);
    expect(q4.ms).toBeGreaterThanOrEqual(290);
    expect(q4.ms).toBeLessThan(900);
    expect(text(await q1).body).toBe('q1');
  });

  it('max_queue_size: a request beyond the queue limit fails at once with RR_ERR_POOL_QUEUE_FULL', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1, max_queue_size: 2 } });
    const running = pool.exec(payload('sleep:200', 'a'));
    const q1 = pool.exec(payload('echo', 'b'));
    const q2 = pool.exec(payload('echo', 'c'));
    expect(pool.queueSize()).toBe(2);
    const started = Date.now();
    const err = await rejection(pool.exec(payload('echo', 'd')));
    expect(err.code).toBe(PoolErrorCodes.QUEUE_FULL);
    expect(err.message).toContain('max queue size reached');
    expect(Date.now() - started).toBeLessThan(50);
    expect((await Promise.all([running, q1, q2])).map((r) => text(r).body)).toEqual(['a', 'b', 'c']);
  });

  it('dynamic_allocator: adds workers when none is free, then removes them after idle_timeout', async () => {
    const { pool, logger } = await createTestPool({
      config: { num_workers: 1, allocate_timeout: '150ms', dynamic_allocator: { max_workers: 2, spawn_rate: 2, idle_timeout: '1s' } },
    });
    const results = await Promise.all([pool.exec(payload('sleep:600', 'a')), pool.exec(payload('echo', 'b'))]);
    expect(results.map((r) => text(r).body)).toEqual(['a', 'b']);
    expect(new Set(results.map((r) => meta(r).pid)).size).toBe(2);
    expect(logger.messages('debug')).toContain('no free workers, adding workers');
    await until(() => pool.workers().length === 1, onPoolChange(pool), 5_000, 'extra workers to be removed');
  });
});

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PoolErrorCodes } from '../src/errors.js';
import { createTestPool, destroyTestPools, meta, payload, rejection, tempDir, text } from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(async () => {
  await destroyTestPools();
  for (const c of cleanups.splice(0)) c();
});


const execs = (pool: { workers(): Array<{ numExecs: number }> }): number => pool.workers().reduce((a, w) => a + w.numExecs, 0);

describe('exec options.withdraw', () => {
  it('takes back queued requests (no worker sees them) and leaves the running one alone', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const withdraw = new AbortController();
    const running = pool.exec(payload('sleep:150', 'running'), { withdraw: withdraw.signal });
    const queued = Array.from({ length: 3 }, (_, i) => pool.exec(payload('echo', `queued-${i}`), { withdraw: withdraw.signal }));
    const other = pool.exec(payload('echo', 'other')); // same queue, no withdraw signal
    expect(pool.queueSize()).toBe(4);
    withdraw.abort();
    expect(pool.queueSize()).toBe(1);
    for (const q of queued) expect((await rejection(q)).code).toBe(PoolErrorCodes.ABORTED);
    expect(text(await running).body).toBe('running');
    expect(text(await other).body).toBe('other');
    // The worker executed exactly the two requests that were not withdrawn.
    expect(execs(pool)).toBe(2);
  });

  it('has no effect once a worker took the request: it runs to completion and resolves', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const withdraw = new AbortController();
    const p = pool.exec(payload('sleep:50', 'dispatched'), { withdraw: withdraw.signal });
    withdraw.abort();
    const r = await p;
    expect(text(r).body).toBe('dispatched');
    expect(meta(r).execs).toBe(1);
  });

  it('rejects at once when the signal already fired, without running anything', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const withdraw = new AbortController();
    withdraw.abort();
    expect((await rejection(pool.exec(payload('echo', 'x'), { withdraw: withdraw.signal }))).code).toBe(PoolErrorCodes.ABORTED);
    expect(execs(pool)).toBe(0);
  });

  it('does not take back a request a worker handed back (stop) while it waits for another worker', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { pool, logger } = await createTestPool({ config: { num_workers: 1 } });
    const withdraw = new AbortController();
    // The worker takes it, asks to be restarted instead of answering, and it waits for the new worker.
    const p = pool.exec(payload(`stoponce:${join(dir, 'flag')}`, 'retried'), { withdraw: withdraw.signal });
    await logger.waitFor((r) => r.msg.startsWith('worker asked to be restarted'));
    expect(pool.queueSize()).toBe(1);
    withdraw.abort();
    expect(pool.queueSize()).toBe(1);
    expect(text(await p).body).toBe('retried');
  });

  it('leaves the caller signal semantics alone: withdraw does not abort a running request', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 2 } });
    const withdraw = new AbortController();
    const ps = [pool.exec(payload('sleep:80', 'a'), { withdraw: withdraw.signal }), pool.exec(payload('sleep:80', 'b'), { withdraw: withdraw.signal })];
    withdraw.abort();
    expect((await Promise.all(ps)).map((r) => text(r).body)).toEqual(['a', 'b']);
    expect(pool.queueSize()).toBe(0);
  });
});

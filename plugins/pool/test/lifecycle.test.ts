import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lookupUser } from '../src/config.js';
import { PoolErrorCodes } from '../src/errors.js';
import { alive, createTestPool, destroyTestPools, meta, payload, rejection, tempDir, text, waitGone } from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(async () => {
  await destroyTestPools();
  for (const c of cleanups.splice(0)) c();
});



describe('reset', () => {
  it('replaces every worker under load without failing a request', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 4 } });
    let stop = false;
    let ok = 0;
    const failures: Error[] = [];
    const seen = new Set<number>();
    const clients = Array.from({ length: 8 }, async (_, c) => {
      let i = 0;
      while (!stop) {
        try {
          const r = await pool.exec(payload('sleep:10', `c${c}-${i}`));
          expect(text(r).body).toBe(`c${c}-${i}`);
          seen.add(meta(r).pid);
          ok++;
        } catch (err) {
          failures.push(err as Error);
        }
        i++;
      }
    });
    for (let round = 0; round < 3; round++) {
      const before = pool.workers().map((w) => w.pid);
      await pool.reset();
      const after = pool.workers().map((w) => w.pid);
      expect(after).toHaveLength(4);
      expect(after.filter((p) => before.includes(p))).toEqual([]);
      expect(await waitGone(before)).toEqual([]);
    }
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(seen.size).toBeGreaterThanOrEqual(8);
  });

  it('returns and heals when a worker is killed at the moment of a reset (fault table W-RESET-RACE)', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 4, reset_timeout: '5s' } });
    for (let round = 0; round < 10; round++) {
      const pids = pool.workers().map((w) => w.pid);
      // It may run on the victim and fail before the reset returns: handle that from the start.
      const traffic = pool.exec(payload('sleep:5', `t${round}`)).catch(() => undefined);
      const victim = pids[round % pids.length]!;
      const started = Date.now();
      const reset = pool.reset();
      process.kill(victim, 'SIGKILL');
      await reset;
      expect(Date.now() - started).toBeLessThan(5_000);
      await traffic;
      expect(pool.workers().filter((w) => w.status === 'ready')).toHaveLength(4);
    }
    expect(text(await pool.exec(payload('echo', 'alive'))).body).toBe('alive');
  });

  it('lets a long request finish on its old worker; queued requests go to the new workers', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const [oldPid] = pool.workers().map((w) => w.pid);
    const long = pool.exec(payload('sleep:300', 'long'));
    const queued = pool.exec(payload('echo', 'queued'));
    await pool.reset();
    expect(meta(await long).pid).toBe(oldPid);
    const q = await queued;
    expect(text(q).body).toBe('queued');
    expect(meta(q).pid).not.toBe(oldPid);
    expect(alive(oldPid!)).toBe(false);
  });

  it('rejects with RR_ERR_POOL_BOOT when the new workers cannot start, and recovers later', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const flag = join(t.dir, 'broken');
    const { pool } = await createTestPool({ config: { num_workers: 1 }, env: { TEST_FAIL_IF_EXISTS: flag } });
    writeFileSync(flag, '');
    const err = await rejection(pool.reset());
    expect(err.code).toBe(PoolErrorCodes.BOOT);
    expect(err.message).toContain('missing config');
  });
});

describe('destroy', () => {
  it('lets requests in flight finish, fails queued and new ones, and leaves no PHP process', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 2 } });
    const pids = pool.workers().map((w) => w.pid);
    const inFlight = [pool.exec(payload('sleep:200', 'a')), pool.exec(payload('sleep:200', 'b'))];
    const queued = rejection(pool.exec(payload('echo', 'c')));
    await pool.destroy(AbortSignal.timeout(5_000));
    expect((await Promise.all(inFlight)).map((r) => text(r).body)).toEqual(['a', 'b']);
    expect((await queued).code).toBe(PoolErrorCodes.STOPPED);
    expect((await rejection(pool.exec(payload('echo', 'd')))).code).toBe(PoolErrorCodes.STOPPED);
    expect(pids.filter(alive)).toEqual([]);
    expect(pool.workers()).toEqual([]);
    expect(logger.records.find((r) => r.msg === 'destroy signal received')?.level).toBe('info');
  });

  it('SIGKILLs workers that ignore the stop command when the deadline comes', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 2, destroy_timeout: '300ms' }, env: { TEST_IGNORE_STOP: '1' } });
    const pids = pool.workers().map((w) => w.pid);
    const started = Date.now();
    await pool.destroy(AbortSignal.timeout(10_000));
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_500);
    expect(pids.filter(alive)).toEqual([]);
    expect(logger.messages('warn')).toContain('destroy deadline reached, killing workers');
  });

  it('a stopping worker that ignores the stop command is killed after the stop grace', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 1, max_jobs: 1 }, env: { TEST_IGNORE_STOP: '1' }, extra: { stopTimeoutMs: 200 } });
    const [pid] = pool.workers().map((w) => w.pid);
    await pool.exec(payload('echo', 'x')); // max_jobs 1: the worker is stopped after this
    await logger.waitFor((r) => r.msg === "worker doesn't respond on stop command, killing process" && r.fields?.['pid'] === pid);
    expect(await waitGone([pid!])).toEqual([]);
  });

  it('honours an abort signal earlier than destroy_timeout', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1, destroy_timeout: '60s' } });
    const [pid] = pool.workers().map((w) => w.pid);
    const hung = rejection(pool.exec(payload('hang', 'x')));
    const started = Date.now();
    await pool.destroy(AbortSignal.timeout(200));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect((await hung).code).toBe(PoolErrorCodes.CRASHED);
    expect(alive(pid!)).toBe(false);
  });
});

describe('debug mode', () => {
  it('starts a fresh worker per request and keeps none', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 2, debug: true } });
    expect(pool.workers()).toEqual([]);
    const a = meta(await pool.exec(payload('echo', 'a')));
    const b = meta(await pool.exec(payload('echo', 'b')));
    expect(a.pid).not.toBe(b.pid);
    expect(a.execs).toBe(1);
    expect(b.execs).toBe(1);
    expect(await waitGone([a.pid, b.pid])).toEqual([]);
  });
});

describe('server.user', () => {
  it.runIf(process.getuid?.() === 0)('runs workers as the configured user and its primary group', async () => {
    const user = lookupUser('nobody', 'user');
    const { pool } = await createTestPool({ config: { num_workers: 1 }, extra: { user } });
    const id = JSON.parse(text(await pool.exec(payload('whoami', 'x'))).body) as { uid: number; gid: number; groups: number[] };
    expect(id).toEqual({ uid: user.uid, gid: user.gid, groups: [] });
  });
});

describe('workers()', () => {
  it('reports pid, state, executions, memory and the command', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    await pool.exec(payload('echo', 'x'));
    const [w] = pool.workers();
    expect(w).toMatchObject({ status: 'ready', numExecs: 1 });
    expect(w!.memoryBytes).toBeGreaterThan(1024 * 1024);
    expect(w!.command).toMatch(/php .*worker\.php$/);
    expect(w!.createdAt).toBeLessThanOrEqual(Date.now());
  });
});

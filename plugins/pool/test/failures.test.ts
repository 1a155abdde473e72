import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PoolErrorCodes } from '../src/errors.js';
import type { StaticPool } from '../src/pool.js';
import { alive, createTestPool, destroyTestPools, meta, payload, rejection, tempDir, text, until } from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(async () => {
  await destroyTestPools();
  for (const c of cleanups.splice(0)) c();
});



function nextReady(pool: StaticPool): Promise<number> {
  return new Promise((resolve) => pool.events.once('workerReady', resolve));
}

function readyCount(pool: StaticPool, n: number, timeoutMs = 5_000): Promise<void> {
  return until(
    () => pool.workers().filter((w) => w.status === 'ready').length === n,
    (cb) => { pool.events.on('workerReady', cb); pool.events.on('workerExit', cb); return () => { pool.events.off('workerReady', cb); pool.events.off('workerExit', cb); }; },
    timeoutMs,
    `${n} ready workers`,
  );
}

describe('a worker failing mid-request', () => {
  it('killed by a signal: only its request fails, naming pid, signal and STDERR; the pool heals', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 2 } });
    const replacement = nextReady(pool);
    const slow = pool.exec(payload('sleep:100', 'ok'));
    const err = await rejection(pool.exec(payload('crash', 'x')));
    expect(err.code).toBe(PoolErrorCodes.CRASHED);
    expect(err.message).toContain(`worker ${err.pid}`);
    expect(err.message).toContain('killed by signal SIGKILL');
    expect(err.message).toContain('about to die in the middle of a request');
    expect(err.signal).toBe('SIGKILL');
    expect(text(await slow).body).toBe('ok');
    const fresh = await replacement;
    expect(fresh).not.toBe(err.pid);
    await readyCount(pool, 2);
    expect(pool.workers().map((w) => w.pid)).not.toContain(err.pid);
    expect(logger.records.some((r) => r.level === 'error' && r.msg === "RoadRunner can't communicate with the worker")).toBe(true);
  });

  it('exiting with a code: the error names the code', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const err = await rejection(pool.exec(payload('exit', 'x')));
    expect(err.code).toBe(PoolErrorCodes.CRASHED);
    expect(err.message).toContain('exited with code 7');
    expect(err.exitCode).toBe(7);
    expect(err.stderr).toContain('exiting with 7');
    await readyCount(pool, 1);
    expect(text(await pool.exec(payload('echo', 'again'))).body).toBe('again');
  });

  it('killed from outside while busy', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const p = rejection(pool.exec(payload('hang', 'x')));
    // Wait until the worker has the request (it says so on STDERR), then kill it.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => { if (pool.workers()[0]?.status === 'working') { clearInterval(check); resolve(); } }, 5);
    });
    process.kill(pid!, 'SIGTERM');
    const err = await p;
    expect(err.code).toBe(PoolErrorCodes.CRASHED);
    expect(err.message).toContain('SIGTERM');
    await readyCount(pool, 1);
  });

  it('garbage on STDOUT: the request fails with what the worker printed; the worker is killed and replaced', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const err = await rejection(pool.exec(payload('garbage', 'x')));
    expect(err.code).toBe(PoolErrorCodes.PROTOCOL);
    expect(err.pid).toBe(pid);
    expect(err.message).toContain('Warning: something printed on STDOUT by mistake');
    expect(err.message).toContain('STDERR');
    await readyCount(pool, 1);
    expect(alive(pid!)).toBe(false);
    expect(text(await pool.exec(payload('echo', 'clean'))).body).toBe('clean');
  });

  it('a frame without exactly one option is a protocol error', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const err = await rejection(pool.exec(payload('badopts', 'x')));
    expect(err.code).toBe(PoolErrorCodes.PROTOCOL);
    expect(err.message).toContain('options length should be equal 1');
    await readyCount(pool, 1);
  });

  it('a worker dying while idle is replaced', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 2 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const fresh = nextReady(pool);
    process.kill(pid!, 'SIGKILL');
    expect(await fresh).not.toBe(pid);
    await readyCount(pool, 2);
    await logger.waitFor((r) => r.msg === 'worker will be restarted' && r.fields?.['pid'] === pid);
  });
});

describe('streams and STDERR', () => {
  it('a worker dying mid-stream: the consumer has the first chunk, the call fails as a crash, the worker is replaced', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const chunks: string[] = [];
    const err = await rejection(pool.exec(payload('streamcrash', 'x'), { onChunk: (c) => { chunks.push(text(c).body); } }));
    expect(chunks).toEqual(['chunk1;']);
    expect(err.code).toBe(PoolErrorCodes.CRASHED);
    expect(err.message).toContain('dying after the first chunk');
    await readyCount(pool, 1);
  });

  it('a STDERR flood does not break the request; what is logged is rate limited and the drop reported', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 1 } });
    const r = await pool.exec(payload('stderr:20480', 'after 20 MB of STDERR'));
    expect(text(r).body).toBe('after 20 MB of STDERR');
    const warning = await logger.waitFor((x) => x.msg === 'worker STDERR output was rate limited', 3_000);
    expect(Number(warning.fields?.['dropped_chars'])).toBeGreaterThan(10 * 1024 * 1024);
    const logged = logger.records.filter((x) => x.level === 'info').reduce((n, x) => n + x.msg.length, 0);
    expect(logged).toBeLessThanOrEqual(3 * 1024 * 1024);
  });
});

describe('exec_ttl', () => {
  it('kills a hung worker when its request exceeds exec_ttl; only that request fails', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 2, supervisor: { exec_ttl: '300ms', watch_tick: '5s' } } });
    const started = Date.now();
    const hung = rejection(pool.exec(payload('hang', 'x')));
    const fine = pool.exec(payload('sleep:50', 'fine'));
    const err = await hung;
    const elapsed = Date.now() - started;
    expect(err.code).toBe(PoolErrorCodes.EXEC_TTL);
    expect(err.message).toContain('exec_ttl (300 ms)');
    expect(err.message).toContain('hanging forever');
    // A per-request timer, not the (5 s) supervisor tick.
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
    expect(text(await fine).body).toBe('fine');
    await until(() => !pool.workers().some((w) => w.pid === err.pid), (cb) => (pool.events.on('workerExit', cb), () => pool.events.off('workerExit', cb)), 5_000, 'the killed worker to exit');
    expect(alive(err.pid!)).toBe(false);
    await readyCount(pool, 2);
    expect(logger.records.find((r) => r.msg === 'worker stopped, and will be restarted')?.fields).toMatchObject({ pid: err.pid, reason: 'exec_ttl' });
  });
});

describe('boot failures', () => {
  it('create() rejects with RR_ERR_POOL_BOOT, the exit code and the STDERR tail when workers exit during boot', async () => {
    const err = await rejection(createTestPool({ env: { TEST_BOOT: 'exit' } }));
    expect(err.code).toBe(PoolErrorCodes.BOOT);
    expect(err.message).toContain('failed to start');
    expect(err.message).toContain('exited with code 3');
    expect(err.message).toContain('missing config /etc/app.ini');
    expect(err.pid).toBeGreaterThan(0);
    expect(alive(err.pid!)).toBe(false);
  });

  it('create() rejects when a worker prints before the handshake, showing what it printed', async () => {
    const err = await rejection(createTestPool({ env: { TEST_BOOT: 'garbage' } }));
    expect(err.code).toBe(PoolErrorCodes.BOOT);
    expect(err.message).toContain('Hello from a worker that prints before the handshake');
  });

  it('create() rejects when the handshake does not come within allocate_timeout, and kills the worker', async () => {
    const started = Date.now();
    const err = await rejection(createTestPool({ env: { TEST_BOOT: 'hang' }, config: { num_workers: 1, allocate_timeout: '300ms' } }));
    expect(err.code).toBe(PoolErrorCodes.BOOT);
    expect(err.message).toContain('within 300 ms');
    expect(err.message).toContain('raise test.pool.allocate_timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(alive(err.pid!)).toBe(false);
  });

  it('create() rejects when the command does not exist', async () => {
    const err = await rejection(createTestPool({ argv: ['php-no-such-binary-xyz', 'worker.php'] }));
    expect(err.code).toBe(PoolErrorCodes.BOOT);
    expect(err.message).toMatch(/php-no-such-binary-xyz/);
  });

  it('create() rejects when the script does not exist, with PHP\'s message', async () => {
    const err = await rejection(createTestPool({ argv: ['php', 'no-such-worker.php'] }));
    expect(err.code).toBe(PoolErrorCodes.BOOT);
    expect(err.message).toContain('Could not open input file: no-such-worker.php');
  });

  it('replacements that cannot boot back off exponentially; the rest keeps serving; capacity heals when boots work again', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const flag = join(t.dir, 'broken');
    const ledger = join(t.dir, 'ledger');
    const { pool, logger } = await createTestPool({ config: { num_workers: 2 }, env: { TEST_FAIL_IF_EXISTS: flag, TEST_LEDGER: ledger } });
    const bootsAtStart = readFileSync(ledger, 'utf8').trim().split('\n').length;
    writeFileSync(flag, '');
    const delays: number[] = [];
    const failed = new Promise<void>((resolve) => {
      pool.events.on('spawnError', (_err, retryIn) => { delays.push(retryIn); if (delays.length === 5) resolve(); });
    });
    const failedAt = Date.now();
    await rejection(pool.exec(payload('crash', 'x')));
    await failed;
    const window = Date.now() - failedAt;
    // 50, 100, 200, 400, 400 ms (base 50, cap 400 in tests): no tight loop, one probe at a time.
    expect(delays).toEqual([50, 100, 200, 400, 400]);
    expect(window).toBeGreaterThanOrEqual(50 + 100 + 200 + 400);
    const attempts = readFileSync(ledger, 'utf8').trim().split('\n').length - bootsAtStart;
    expect(attempts).toBeLessThanOrEqual(6);
    // The surviving worker keeps serving during the outage.
    expect(text(await pool.exec(payload('echo', 'still serving'))).body).toBe('still serving');
    const lastError = logger.records.filter((r) => r.msg === 'worker failed to start').at(-1);
    expect(String(lastError?.fields?.['error'])).toContain('missing config /etc/app.ini');
    rmSync(flag);
    const healedAt = Date.now();
    await readyCount(pool, 2, 3_000);
    expect(Date.now() - healedAt).toBeLessThan(1_000);
    expect(meta(await pool.exec(payload('echo', 'x'))).pid).toBeGreaterThan(0);
  });

  it('requests waiting while no worker can boot fail after allocate_timeout, naming the boot error', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const flag = join(t.dir, 'broken');
    const { pool } = await createTestPool({ config: { num_workers: 1, allocate_timeout: '400ms' }, env: { TEST_FAIL_IF_EXISTS: flag } });
    writeFileSync(flag, '');
    const failedOnce = new Promise((resolve) => pool.events.once('spawnError', resolve));
    await rejection(pool.exec(payload('crash', 'x')));
    await failedOnce;
    const err = await rejection(pool.exec(payload('echo', 'x')));
    expect(err.code).toBe(PoolErrorCodes.NO_FREE_WORKERS);
    expect(err.message).toContain('fail to start');
    expect(err.message).toContain('missing config');
  });
});

// pool.prefetch: a busy worker that announced "prefetch": true (rr's PHP library) gets its next
// request written to its pipe at once; PHP reads it after answering the current one.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSocketDsn } from '@rr/goridge';
import type { Payload } from '@rr/pool-api';
import { PoolErrorCodes } from '../src/errors.js';
import type { StaticPool } from '../src/pool.js';
import { SocketTransport, pipesTransport } from '../src/transport.js';
import type { WorkerTransport } from '../src/worker.js';
import { alive, createTestPool, destroyTestPools, type MemoryLogger, meta, payload, phpDir, rejection, tempDir, type TestPoolOptions, testWorker, text, until } from './helpers.js';

const libWorker = join(phpDir, 'lib-worker.php');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  // Gates first: a worker blocked on one would hold up the pool's destroy.
  for (const c of cleanups.splice(0).reverse()) await c();
  await destroyTestPools();
  for (const c of late.splice(0).reverse()) await c();
});
const late: Array<() => Promise<void> | void> = [];



let dir: string | undefined;
function scratch(): string {
  if (dir === undefined) {
    const t = tempDir();
    dir = t.dir;
    late.push(() => { t.cleanup(); dir = undefined; });
  }
  return dir;
}

let gates = 0;
/**
 * A FIFO the worker opens for reading (`gate:PATH`): PHP blocks in fopen() until open() here opens
 * it for writing, then reads to EOF. An event, not a timer: the request ends exactly when the test says.
 */
function gate(): { path: string; open: () => Promise<void> } {
  const path = join(scratch(), `gate-${++gates}`);
  execFileSync('mkfifo', [path]);
  let opened = false;
  cleanups.push(() => {
    if (opened) return;
    // O_RDWR never blocks on a FIFO: it releases a worker blocked in fopen() and a pending open() below.
    closeSync(openSync(path, constants.O_RDWR | constants.O_NONBLOCK));
  });
  return {
    path,
    open: async () => {
      opened = true;
      // Blocks (in libuv's thread pool) until PHP has the FIFO open for reading.
      const fh = await open(path, 'w');
      await fh.close();
    },
  };
}

/** Every request a lib-worker process read, as "<pid> <context> <body>" lines (TEST_LEDGER). */
function ledger(): { env: Record<string, string>; lines: () => string[]; readers: (body: string) => number[] } {
  const path = join(scratch(), `ledger-${++gates}`);
  const lines = (): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []);
  return {
    env: { TEST_LEDGER: path },
    lines,
    readers: (body) => lines().filter((l) => l.endsWith(` ${body}`)).map((l) => Number(l.split(' ')[0])),
  };
}

function libPool(config: Record<string, unknown> = {}, o: TestPoolOptions = {}): Promise<{ pool: StaticPool; logger: MemoryLogger }> {
  return createTestPool({ argv: ['php', '-d', 'memory_limit=-1', libWorker], ...o, config: { num_workers: 1, prefetch: true, ...config } });
}

async function socket(): Promise<SocketTransport> {
  const t = await SocketTransport.listen(parseSocketDsn('tcp://127.0.0.1:0'), () => {});
  late.push(() => t.close());
  return t;
}

const transports: Array<[string, () => Promise<WorkerTransport>]> = [
  ['pipes', async () => pipesTransport],
  ['tcp', socket],
];

function onExit(pool: StaticPool, pid: number): Promise<void> {
  return until(
    () => !pool.workers().some((w) => w.pid === pid),
    (cb) => { pool.events.on('workerExit', cb); return () => { pool.events.off('workerExit', cb); }; },
    10_000,
    `worker ${pid} to exit`,
  );
}

/** Records the order in which promises settle. */
function order(): { track: <T>(name: string, p: Promise<T>) => Promise<T>; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    track: (name, p) => {
      void p.then(() => seen.push(name), () => seen.push(`${name}!`));
      return p;
    },
  };
}

describe('pool.prefetch: who gets a request while busy', () => {
  it.each(transports)('%s: a busy lib worker takes the next request into its pipe; it runs right after, on the same process', async (_kind, makeTransport) => {
    const { pool } = await libPool({}, { transport: await makeTransport() });
    const [pid] = pool.workers().map((w) => w.pid);
    const g = gate();
    const o = order();
    const a = o.track('A', pool.exec(payload(`gate:${g.path}`, 'A')));
    const b = o.track('B', pool.exec(payload('echo', 'B')));
    // B went to the worker's pipe, not to the queue.
    expect(pool.queueSize()).toBe(0);
    await g.open();
    const [ra, rb] = await Promise.all([a, b]);
    expect(text(ra).body).toBe('A');
    expect(text(rb).body).toBe('B');
    expect(meta(ra)).toEqual({ pid, execs: 1 });
    expect(meta(rb)).toEqual({ pid, execs: 2 });
    expect(o.seen).toEqual(['A', 'B']);
    expect(pool.workers()).toMatchObject([{ pid, status: 'ready', numExecs: 2 }]);
  });

  it('prefetch off (the default): the same worker queues the request', async () => {
    const { pool } = await libPool({ prefetch: false });
    const g = gate();
    const a = pool.exec(payload(`gate:${g.path}`, 'A'));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(1);
    await g.open();
    expect(meta(await b).execs).toBe(2);
    expect(meta(await a).execs).toBe(1);
  });

  it('a worker that does not announce it (the raw worker, like RoadRunner\'s libraries) is never prefetched', async () => {
    const { pool } = await createTestPool({ argv: ['php', '-d', 'memory_limit=-1', testWorker], config: { num_workers: 1, prefetch: true } });
    const [pid] = pool.workers().map((w) => w.pid);
    const a = pool.exec(payload('sleep:150', 'A'));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(1);
    expect(meta(await a)).toEqual({ pid, execs: 1 });
    expect(meta(await b)).toEqual({ pid, execs: 2 });
  });

  it('one prefetch per worker: a third request is queued, and takes the slot when the first ends', async () => {
    const { pool } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    const g1 = gate();
    const g2 = gate();
    const o = order();
    const a = o.track('A', pool.exec(payload(`gate:${g1.path}`, 'A')));
    const b = o.track('B', pool.exec(payload(`gate:${g2.path}`, 'B')));
    expect(pool.queueSize()).toBe(0);
    const c = o.track('C', pool.exec(payload('echo', 'C')));
    expect(pool.queueSize()).toBe(1);
    // When A's answer arrives, B becomes the current request and C moves into the pipe at once.
    const queuedWhenADone = a.then(() => pool.queueSize());
    await g1.open();
    expect(await queuedWhenADone).toBe(0);
    expect(o.seen).toEqual(['A']);
    await g2.open();
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    expect([ra, rb, rc].map((r) => meta(r))).toEqual([{ pid, execs: 1 }, { pid, execs: 2 }, { pid, execs: 3 }]);
    expect([ra, rb, rc].map((r) => text(r).body)).toEqual(['A', 'B', 'C']);
    expect(o.seen).toEqual(['A', 'B', 'C']);
  });
});

describe('pool.prefetch: the worker never reads the prefetched request', () => {
  it('the worker is SIGKILLed during A: A fails as a crash, B runs once, on the replacement', async () => {
    const l = ledger();
    const { pool } = await libPool({}, { env: l.env });
    const [pid] = pool.workers().map((w) => w.pid);
    const a = rejection(pool.exec(payload('crash', 'A')));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    const c = pool.exec(payload('echo', 'C'));
    expect(pool.queueSize()).toBe(1);
    const err = await a;
    expect(err.code).toBe(PoolErrorCodes.CRASHED);
    expect(err.pid).toBe(pid);
    const [rb, rc] = await Promise.all([b, c]);
    expect(text(rb).body).toBe('B');
    expect(meta(rb).pid).not.toBe(pid);
    // B goes back to the front of the queue: before C, which waited behind it.
    expect(meta(rb).execs).toBe(1);
    expect(meta(rc)).toEqual({ pid: meta(rb).pid, execs: 2 });
    expect(l.readers('B')).toEqual([meta(rb).pid]);
  });

  it('the script exits inside A: A fails with its exit code (no restart request from the library), B runs on the replacement', async () => {
    const l = ledger();
    const { pool } = await libPool({}, { env: l.env });
    const [pid] = pool.workers().map((w) => w.pid);
    const a = rejection(pool.exec(payload('exit', 'A')));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    const err = await a;
    expect(err.code).toBe(PoolErrorCodes.CRASHED);
    expect(err.exitCode).toBe(7);
    const rb = await b;
    expect(meta(rb).execs).toBe(1);
    expect(meta(rb).pid).not.toBe(pid);
    // A ran exactly once: a restart request would have sent it to another worker.
    expect(l.readers('A')).toEqual([pid]);
    expect(l.readers('B')).toEqual([meta(rb).pid]);
  });

  it('the script leaves its loop after answering A: A resolves, B runs on a new worker (the library\'s restart request), no error', async () => {
    const l = ledger();
    const { pool, logger } = await libPool({}, { env: l.env });
    const [pid] = pool.workers().map((w) => w.pid);
    const a = pool.exec(payload('quit-after', 'A'));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    const [ra, rb] = await Promise.all([a, b]);
    expect(meta(ra)).toEqual({ pid, execs: 1 });
    expect(text(rb).body).toBe('B');
    expect(meta(rb).pid).not.toBe(pid);
    expect(meta(rb).execs).toBe(1);
    expect(l.readers('B')).toEqual([meta(rb).pid]);
    await onExit(pool, pid!);
    expect(logger.records.filter((r) => r.level === 'error')).toEqual([]);
  });

  // The worker answers A and leaves while rr writes B: B's write fails with EPIPE (or the process
  // 'exit' is seen first). What PHP wrote before leaving (A's answer, the restart request) must still
  // be read. Made deterministic by holding the event loop (a bounded spin on /proc, not a timer) until
  // the worker has exited; before the fix this lost A ~1 in 170 quit-after runs.
  it('the worker answers A and exits before B is written to it: A still resolves, B runs elsewhere', async () => {
    const { pool } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    const a = pool.exec(payload('quit-after', 'A'));
    const until = Date.now() + 5_000;
    while (alive(pid!) && Date.now() < until) { /* rr must not read A's answer before B is written */ }
    expect(alive(pid!)).toBe(false);
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0); // rr has not seen A's answer: B went into the dead worker's pipe
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(rb.status === 'fulfilled' && meta(rb.value).pid !== pid).toBe(true);
    expect(ra.status === 'fulfilled' ? meta(ra.value) : (ra.reason as Error).message).toEqual({ pid, execs: 1 });
  });

  it('the script leaves its loop with nothing prefetched: the worker is replaced quietly', async () => {
    const { pool, logger } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    const fresh = new Promise<number>((resolve) => pool.events.once('workerReady', resolve));
    expect(meta(await pool.exec(payload('quit-after', 'A')))).toEqual({ pid, execs: 1 });
    expect(await fresh).not.toBe(pid);
    await onExit(pool, pid!);
    expect(logger.records.filter((r) => r.level === 'error' || r.level === 'warn')).toEqual([]);
    expect(meta(await pool.exec(payload('echo', 'again'))).execs).toBe(1);
  });

  it('a restart request ($worker->stop()) instead of answering A: A and B both run on another worker, B only there', async () => {
    const l = ledger();
    const { pool } = await libPool({}, { env: l.env });
    const [pid] = pool.workers().map((w) => w.pid);
    const flag = join(scratch(), 'stopped-once');
    const a = pool.exec(payload(`stoponce:${flag}`, 'A'));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    const [ra, rb] = await Promise.all([a, b]);
    const fresh = meta(ra).pid;
    expect(fresh).not.toBe(pid);
    expect(text(ra).body).toBe('A');
    expect(text(rb).body).toBe('B');
    expect(meta(rb).pid).toBe(fresh);
    await onExit(pool, pid!);
    expect(l.readers('A')).toEqual([pid, fresh]);
    // B was in the old worker's pipe, but PHP must not run it there: once, on the new worker.
    expect(l.readers('B')).toEqual([fresh]);
  });

  it('an error then a restart request (Octane on an exception) with B prefetched: A fails soft, B runs once, elsewhere', async () => {
    const l = ledger();
    const { pool } = await libPool({}, { env: l.env });
    const [pid] = pool.workers().map((w) => w.pid);
    const a = rejection(pool.exec(payload('softstop', 'A')));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    expect((await a).code).toBe(PoolErrorCodes.SOFT_ERROR);
    const rb = await b;
    expect(meta(rb).pid).not.toBe(pid);
    await onExit(pool, pid!);
    expect(l.readers('B')).toEqual([meta(rb).pid]);
  });

  it('exec_ttl kills the worker during A: A fails EXEC_TTL, B runs on the replacement', async () => {
    const l = ledger();
    const { pool } = await libPool({ supervisor: { exec_ttl: '400ms', watch_tick: '5s' } }, { env: l.env });
    const [pid] = pool.workers().map((w) => w.pid);
    const a = rejection(pool.exec(payload('hang', 'A')));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    const err = await a;
    expect(err.code).toBe(PoolErrorCodes.EXEC_TTL);
    expect(err.pid).toBe(pid);
    const rb = await b;
    expect(meta(rb).pid).not.toBe(pid);
    expect(meta(rb).execs).toBe(1);
    expect(l.readers('B')).toEqual([meta(rb).pid]);
  });

  it('exec_ttl of a prefetched request starts when the worker reads it, not when it was written', async () => {
    // 2 × 600 ms back to back: B would exceed a 1 s limit counted from its write; counted from its
    // start it has 400 ms to spare on a loaded machine.
    const { pool } = await libPool({ supervisor: { exec_ttl: '1s', watch_tick: '5s' } });
    const [pid] = pool.workers().map((w) => w.pid);
    const a = pool.exec(payload('sleep:600', 'A'));
    const b = pool.exec(payload('sleep:600', 'B'));
    expect(pool.queueSize()).toBe(0);
    expect(meta(await a)).toEqual({ pid, execs: 1 });
    expect(meta(await b)).toEqual({ pid, execs: 2 });
  });
});

describe('pool.prefetch: abort, limits, streams, errors', () => {
  it('aborting a prefetched request rejects it at once; it still runs, its answer is dropped, the worker stays', async () => {
    const l = ledger();
    const { pool } = await libPool({}, { env: l.env });
    const [pid] = pool.workers().map((w) => w.pid);
    const g = gate();
    const a = pool.exec(payload(`gate:${g.path}`, 'A'));
    const ac = new AbortController();
    const b = rejection(pool.exec(payload('echo', 'B'), { signal: ac.signal }));
    expect(pool.queueSize()).toBe(0);
    ac.abort(new Error('client went away'));
    // Rejected while A still blocks on its gate.
    const err = await b;
    expect(err.code).toBe(PoolErrorCodes.ABORTED);
    expect(err.pid).toBe(pid);
    await g.open();
    expect(meta(await a)).toEqual({ pid, execs: 1 });
    const rc = await pool.exec(payload('echo', 'C'));
    // B ran in between (execs 2), on the same process.
    expect(meta(rc)).toEqual({ pid, execs: 3 });
    expect(text(rc).body).toBe('C');
    expect(l.readers('B')).toEqual([pid]);
    expect(pool.workers().map((w) => w.pid)).toEqual([pid]);
  });

  it('max_jobs 1: never a prefetch (it would be the worker\'s second job)', async () => {
    const { pool } = await libPool({ max_jobs: 1 }, { extra: { random: () => 0 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const g = gate();
    const a = pool.exec(payload(`gate:${g.path}`, 'A'));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(1);
    await g.open();
    expect(meta(await a)).toEqual({ pid, execs: 1 });
    const rb = await b;
    expect(meta(rb).pid).not.toBe(pid);
    expect(meta(rb).execs).toBe(1);
  });

  it('max_jobs 2: the second job is prefetched, the third is not (it goes to the next worker)', async () => {
    const { pool } = await libPool({ max_jobs: 2 }, { extra: { random: () => 0 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const g = gate();
    const a = pool.exec(payload(`gate:${g.path}`, 'A'));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    const c = pool.exec(payload('echo', 'C'));
    expect(pool.queueSize()).toBe(1);
    const queuedWhenADone = a.then(() => pool.queueSize());
    await g.open();
    // After A the worker has one job left (B, already in its pipe): C must stay queued.
    expect(await queuedWhenADone).toBe(1);
    expect(meta(await a)).toEqual({ pid, execs: 1 });
    expect(meta(await b)).toEqual({ pid, execs: 2 });
    const rc = await c;
    expect(meta(rc).pid).not.toBe(pid);
    expect(meta(rc).execs).toBe(1);
    await onExit(pool, pid!);
  });

  it.each(transports)('%s: a streamed response with a request prefetched behind it: chunks intact, then the prefetched one', async (_kind, makeTransport) => {
    const { pool } = await libPool({}, { transport: await makeTransport() });
    const [pid] = pool.workers().map((w) => w.pid);
    const chunks: string[] = [];
    const a = pool.exec(payload('stream:23', 'A'), { onChunk: (c: Payload) => { chunks.push(text(c).body); } });
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    const ra = await a;
    expect(chunks).toEqual(Array.from({ length: 23 }, (_, i) => `chunk${i + 1};`));
    expect(text(ra).body).toBe('chunk23;');
    expect(meta(ra)).toEqual({ pid, execs: 1 });
    const rb = await b;
    expect(text(rb).body).toBe('B');
    expect(meta(rb)).toEqual({ pid, execs: 2 });
    // Still healthy: the next request runs there too.
    expect(meta(await pool.exec(payload('echo', 'C')))).toEqual({ pid, execs: 3 });
  });

  // rr's STOP for A would land in the pipe behind B, which PHP may already run when it reads it; the
  // library would take it for B's stream and end it early. So rr sends no STOP while a request is
  // prefetched: it reads and drops the rest of A.
  it('a consumer cancels a stream that had a request prefetched behind it: the STOP must not cut the next stream short', async () => {
    // A: 3 chunks, written at once (pipes: no PING, so PHP never polls and finishes A before rr's STOP
    // arrives). rr cancels A on its first chunk: the STOP frame lands in the pipe *behind* B, which
    // PHP reads next. B streams 12 chunks after its gate; the library must not take A's STOP for B's.
    const { pool, logger } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    const g = gate();
    const a = rejection(pool.exec(payload('stream:3', 'A'), { onChunk: () => { throw new Error('client A went away'); } }));
    const bChunks: string[] = [];
    const b = pool.exec(payload(`stream:12:${g.path}`, 'B'), { onChunk: (c: Payload) => { bChunks.push(text(c).body); } });
    expect(pool.queueSize()).toBe(0);
    expect((await a).message).toBe('client A went away');
    await g.open();
    const rb = await b;
    expect(bChunks).toEqual(Array.from({ length: 12 }, (_, i) => `chunk${i + 1};`));
    expect(meta(rb)).toEqual({ pid, execs: 2 });
  });

  it('aborting the current request with one prefetched: the answer is dropped, the prefetched one runs next', async () => {
    const { pool } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    const g = gate();
    const ac = new AbortController();
    const a = rejection(pool.exec(payload(`gate:${g.path}`, 'A'), { signal: ac.signal }));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    ac.abort();
    expect((await a).code).toBe(PoolErrorCodes.ABORTED);
    await g.open();
    expect(meta(await b)).toEqual({ pid, execs: 2 });
  });

  it('no prefetch onto a worker that is streaming', async () => {
    const { pool } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    let b: Promise<Payload> | undefined;
    let queued = -1;
    const a = pool.exec(payload('stream:12', 'A'), {
      onChunk: () => {
        if (b === undefined) {
          b = pool.exec(payload('echo', 'B'));
          queued = pool.queueSize();
        }
      },
    });
    await a;
    expect(queued).toBe(1);
    expect(meta(await b!)).toEqual({ pid, execs: 2 });
  });

  it('a soft error mid-stream with a request prefetched: that request still runs there, then the worker is replaced', async () => {
    const { pool } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    const chunks: string[] = [];
    const a = rejection(pool.exec(payload('streamsoft:3', 'A'), { onChunk: (c: Payload) => { chunks.push(text(c).body); } }));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    const err = await a;
    expect(err.code).toBe(PoolErrorCodes.SOFT_ERROR);
    expect(err.message).toContain('failed after chunk 3');
    expect(chunks).toEqual(['chunk1;', 'chunk2;', 'chunk3;']);
    expect(meta(await b)).toEqual({ pid, execs: 2 });
    await onExit(pool, pid!);
    const rc = await pool.exec(payload('echo', 'C'));
    expect(meta(rc).pid).not.toBe(pid);
  });

  it('a plain soft error with a request prefetched: the worker stays and runs it', async () => {
    const { pool } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    const a = rejection(pool.exec(payload('soft', 'bad input')));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    expect((await a).code).toBe(PoolErrorCodes.SOFT_ERROR);
    expect(meta(await b)).toEqual({ pid, execs: 2 });
  });
});

describe('pool.prefetch and the pool\'s life', () => {
  it('destroy: the queued request fails STOPPED, the running and the prefetched ones finish', async () => {
    const { pool } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    const g = gate();
    const a = pool.exec(payload(`gate:${g.path}`, 'A'));
    const b = pool.exec(payload('echo', 'B'));
    const c = rejection(pool.exec(payload('echo', 'C')));
    expect(pool.queueSize()).toBe(1);
    const destroyed = pool.destroy(AbortSignal.timeout(10_000));
    expect((await c).code).toBe(PoolErrorCodes.STOPPED);
    await g.open();
    expect(meta(await a)).toEqual({ pid, execs: 1 });
    expect(meta(await b)).toEqual({ pid, execs: 2 });
    await destroyed;
    expect(pool.workers()).toEqual([]);
  });

  it('reset: the prefetched request still runs on the old worker, later ones on the new generation', async () => {
    const { pool } = await libPool();
    const [pid] = pool.workers().map((w) => w.pid);
    const g = gate();
    const a = pool.exec(payload(`gate:${g.path}`, 'A'));
    const b = pool.exec(payload('echo', 'B'));
    expect(pool.queueSize()).toBe(0);
    const reset = pool.reset();
    await g.open();
    expect(meta(await a)).toEqual({ pid, execs: 1 });
    expect(meta(await b)).toEqual({ pid, execs: 2 });
    await reset;
    const rc = await pool.exec(payload('echo', 'C'));
    expect(meta(rc).pid).not.toBe(pid);
  });
});

describe('pool.prefetch under load', () => {
  it('2 workers, 200 concurrent requests: every answer is its own request\'s, both workers serve', async () => {
    const { pool } = await libPool({ num_workers: 2 });
    const pids = pool.workers().map((w) => w.pid).sort();
    const n = 200;
    const bodies = Array.from({ length: n }, (_, i) => `request-${i}-${'x'.repeat(i * 37)}`);
    const results = await Promise.all(bodies.map((body, i) => pool.exec(payload(i % 7 === 0 ? 'sleep:1' : 'echo', body))));
    for (let i = 0; i < n; i++) expect(text(results[i]!).body).toBe(bodies[i]);
    expect([...new Set(results.map((r) => meta(r).pid))].sort()).toEqual(pids);
    // Per worker, its answers carry execs 1..k in the order the worker ran them, none twice.
    for (const pid of pids) {
      const execs = results.filter((r) => meta(r).pid === pid).map((r) => meta(r).execs).sort((x, y) => x - y);
      expect(execs).toEqual(Array.from({ length: execs.length }, (_, i) => i + 1));
    }
    expect(pool.queueSize()).toBe(0);
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '@rr/pool-api';
import { PoolErrorCodes } from '../src/errors.js';
import { createTestPool, destroyTestPools, meta, payload, rejection, tempDir, text, until } from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(async () => {
  await destroyTestPools();
  for (const c of cleanups.splice(0)) c();
});


describe('exec', () => {
  it('runs 10,000 calls through a pool of 4, each answer checked', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 4 } });
    const pids = new Set(pool.workers().map((w) => w.pid));
    const lastExec = new Map<number, number>();
    const total = 10_000;
    let next = 0;
    let checked = 0;
    // 32 clients in a closed loop: each sends its next request when its previous one returned.
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < total) {
        const i = next++;
        const r = await pool.exec(payload('echo', `request-${i}`));
        expect(text(r).body).toBe(`request-${i}`);
        const m = meta(r);
        expect(pids.has(m.pid)).toBe(true);
        // One request at a time per worker: its own counter only ever moves forward by one.
        expect(m.execs).toBe((lastExec.get(m.pid) ?? 0) + 1);
        lastExec.set(m.pid, m.execs);
        checked++;
      }
    }));
    expect(checked).toBe(total);
    expect([...lastExec.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect(pool.workers().reduce((a, w) => a + w.numExecs, 0)).toBe(total);
  });

  it('serves waiting requests in arrival order (FIFO)', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const order: number[] = [];
    const first = pool.exec(payload('sleep:100', 'first'));
    const rest = Array.from({ length: 20 }, (_, i) => pool.exec(payload('echo', String(i))).then(() => order.push(i)));
    expect(pool.queueSize()).toBe(20);
    await Promise.all([first, ...rest]);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(pool.queueSize()).toBe(0);
  });

  it('passes the codec as frame flags and reads it back', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const r = await pool.exec({ context: Buffer.from('{"a":1}'), body: Buffer.from('x'), codec: 'json' });
    expect(text(r)).toEqual({ context: '{"a":1}', body: 'x' });
    expect(r.codec).toBe('raw'); // the test worker answers with flags 0
  });

  it('refuses an empty payload, which PHP would read as "terminate"', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const err = await rejection(pool.exec({ context: Buffer.alloc(0), body: Buffer.alloc(0) }));
    expect(err.code).toBe(PoolErrorCodes.EMPTY_PAYLOAD);
  });

  it('sends a string context as UTF-8, small (encoded into the frame) or large (through a Buffer)', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const small = '{"name":"żółw 🐢","q":"\\"}';
    const large = `{"pad":"${'é'.repeat(30_000)}"}`; // 3 bytes per unit at worst would not fit the 64 KiB frame copy
    for (const context of [small, large]) {
      const r = await pool.exec({ context, body: Buffer.from('body-ż'), codec: 'json' });
      expect(Buffer.from(r.context).equals(Buffer.from(context, 'utf8'))).toBe(true);
      expect(Buffer.from(r.body).toString('utf8')).toBe('body-ż');
    }
    expect((await rejection(pool.exec({ context: '', body: Buffer.alloc(0) }))).code).toBe(PoolErrorCodes.EMPTY_PAYLOAD);
  });
});

describe('soft errors and restart requests', () => {
  it('a soft error fails only that request; the worker stays and serves the next one', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 1 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const err = await rejection(pool.exec(payload('soft', 'database is down')));
    expect(err.code).toBe(PoolErrorCodes.SOFT_ERROR);
    expect(err.message).toContain('database is down');
    expect(err.pid).toBe(pid);
    expect(logger.records.find((r) => r.msg === 'soft worker error')?.fields).toMatchObject({ pid, error: 'database is down' });
    const r = await pool.exec(payload('echo', 'after'));
    expect(meta(r)).toEqual({ pid, execs: 2 });
  });

  it('re-executes a request on another worker when its worker asks to be restarted; the caller sees nothing', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const flag = join(t.dir, 'stopped-once');
    const { pool, logger } = await createTestPool({ config: { num_workers: 2 } });
    const exits: number[] = [];
    pool.events.on('workerExit', (pid) => exits.push(pid));
    const before = pool.workers().map((w) => w.pid);
    const r = await pool.exec(payload(`stoponce:${flag}`, 'payload'));
    expect(existsSync(flag)).toBe(true);
    expect(text(r).body).toBe('payload');
    // The worker that asked to stop is stopped and replaced; the answer came from the other one.
    await until(() => exits.length === 1, (cb) => (pool.events.on('workerExit', cb), () => pool.events.off('workerExit', cb)), 5_000, 'the stopped worker to exit');
    expect(before).toContain(exits[0]);
    expect(meta(r).pid).not.toBe(exits[0]);
    await until(() => pool.workers().filter((w) => w.status === 'ready').length === 2, (cb) => (pool.events.on('workerReady', cb), () => pool.events.off('workerReady', cb)), 5_000, 'a replacement');
    expect(logger.messages('debug')).toContain('worker asked to be restarted, executing the request on another worker');
  });

  it('loses no request when workers ask to be restarted on every 5th request (fault table W-WORKER-STOP)', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 4 } });
    const pids = new Set<number>();
    let exits = 0;
    pool.events.on('workerExit', () => exits++);
    const total = 300;
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < total) {
        const i = next++;
        const r = await pool.exec(payload('stopevery:5', `r${i}`));
        expect(text(r).body).toBe(`r${i}`);
        pids.add(meta(r).pid);
      }
    }));
    // Every worker serves 4 requests, then asks to stop on its 5th: about one respawn per 4 requests.
    expect(pids.size).toBeGreaterThanOrEqual(total / 4 - 4);
    expect(exits).toBeGreaterThanOrEqual(total / 4 - 8);
  });

  it('gives up with RR_ERR_WORKER_RESTART_LOOP when every worker asks to be restarted', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 2 } });
    const err = await rejection(pool.exec(payload('stop', 'x')));
    expect(err.code).toBe(PoolErrorCodes.RESTART_LOOP);
    const r = await pool.exec(payload('echo', 'still works'));
    expect(text(r).body).toBe('still works');
  });

  it('an error followed by a restart request (Laravel Octane on an exception) fails the request and replaces the worker', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const exited = new Promise<number>((resolve) => pool.events.on('workerExit', resolve));
    const ready = new Promise<number>((resolve) => pool.events.on('workerReady', resolve));
    const err = await rejection(pool.exec(payload('softstop', 'Undefined variable $x')));
    expect(err.code).toBe(PoolErrorCodes.SOFT_ERROR);
    expect(await exited).toBe(pid);
    const fresh = await ready;
    expect(fresh).not.toBe(pid);
    expect(meta(await pool.exec(payload('echo', 'x'))).pid).toBe(fresh);
  });
});

describe('streaming', () => {
  it('hands every chunk to onChunk in order and answers each PING with a PONG at once', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 1 } });
    const chunks: string[] = [];
    const result = await pool.exec(payload('stream:12', 'x'), { onChunk: (c) => { chunks.push(text(c).body); } });
    expect(chunks).toEqual(Array.from({ length: 12 }, (_, i) => `chunk${i + 1};`));
    expect(text(result).body).toBe('chunk12;');
    // The test worker blocks after each PING until the PONG arrives: reaching here proves both.
    // Its STDERR notes travel on another pipe and may land after the answer: wait for them.
    await logger.waitFor((r) => r.msg.includes('got pong after chunk 10'));
    const pongs = logger.records.filter((r) => r.level === 'info' && r.msg.includes('got pong')).map((r) => r.msg).join('');
    expect(pongs).toContain('got pong after chunk 5');
  });

  it('concatenates a streamed answer when there is no onChunk', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const r = await pool.exec(payload('stream:7', 'x'));
    expect(text(r).body).toBe('chunk1;chunk2;chunk3;chunk4;chunk5;chunk6;chunk7;');
  });

  it('waits for a slow onChunk before handing over the next chunk', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const seen: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    await pool.exec(payload('stream:6', 'x'), {
      onChunk: async (c) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        seen.push(text(c).body);
        inFlight--;
      },
    });
    expect(maxInFlight).toBe(1);
    expect(seen).toHaveLength(6);
  });

  it('on abort mid-stream sends STOP, drains to the terminator and keeps the worker', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 1 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const ac = new AbortController();
    let n = 0;
    const err = await rejection(pool.exec(payload('streamforever', 'x'), {
      signal: ac.signal,
      onChunk: () => { if (++n === 3) ac.abort(new Error('client went away')); },
    }));
    expect(err.code).toBe(PoolErrorCodes.ABORTED);
    await logger.waitFor((r) => r.msg.includes('stream stopped by the server'));
    const r = await pool.exec(payload('echo', 'next'));
    expect(meta(r).pid).toBe(pid);
    expect(text(r).body).toBe('next');
  });

  it('treats a throwing onChunk as a gone client: STOP, drain, worker kept', async () => {
    const { pool, logger } = await createTestPool({ config: { num_workers: 1 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const err = await rejection(pool.exec(payload('streamforever', 'x'), {
      onChunk: (c: Payload) => { if (text(c).body === 'chunk2;') throw new Error('EPIPE writing to the client'); },
    }));
    expect(err.message).toBe('EPIPE writing to the client');
    await logger.waitFor((r) => r.msg.includes('stream stopped by the server'));
    expect(meta(await pool.exec(payload('echo', 'x'))).pid).toBe(pid);
  });
});

describe('abort', () => {
  it('an aborted queued request never reaches a worker', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const busy = pool.exec(payload('sleep:150', 'a'));
    const ac = new AbortController();
    const queued = pool.exec(payload('echo', 'b'), { signal: ac.signal });
    expect(pool.queueSize()).toBe(1);
    ac.abort();
    const err = await rejection(queued);
    expect(err.code).toBe(PoolErrorCodes.ABORTED);
    expect(pool.queueSize()).toBe(0);
    expect(meta(await busy).execs).toBe(1);
    expect(meta(await pool.exec(payload('echo', 'c'))).execs).toBe(2);
  });

  it('an abort during execution fails the call at once; the worker finishes and is reused', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const [pid] = pool.workers().map((w) => w.pid);
    const ac = new AbortController();
    const started = Date.now();
    const p = pool.exec(payload('sleep:300', 'a'), { signal: ac.signal });
    setImmediate(() => ac.abort());
    const err = await rejection(p);
    expect(err.code).toBe(PoolErrorCodes.ABORTED);
    expect(Date.now() - started).toBeLessThan(250);
    const r = await pool.exec(payload('echo', 'b'));
    expect(meta(r)).toEqual({ pid, execs: 2 });
  });

  it('rejects at once with an already aborted signal', async () => {
    const { pool } = await createTestPool({ config: { num_workers: 1 } });
    const err = await rejection(pool.exec(payload('echo', 'x'), { signal: AbortSignal.abort() }));
    expect(err.code).toBe(PoolErrorCodes.ABORTED);
  });
});

// What every lock backend must do, called directly (the RPC layer is tested from PHP elsewhere).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LockBackend } from '../src/backend.js';

const S = 1_000_000;

async function until(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > withinMs) return -1;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

export function backendContract(make: () => Promise<LockBackend>, resourcePrefix = ''): void {
  let b: LockBackend;
  beforeAll(async () => { b = await make(); });
  afterAll(async () => { await b?.close(); });
  const r = (name: string) => `${resourcePrefix}${name}`;

  it('a write lock excludes other writers and readers, is not reentrant, and releases only for its id', async () => {
    expect(await b.lock(r('w'), 'a', 10 * S, 0)).toBe(true);
    expect(await b.lock(r('w'), 'b', 10 * S, 0)).toBe(false);
    expect(await b.lock(r('w'), 'a', 10 * S, 0)).toBe(false);
    expect(await b.lockRead(r('w'), 'c', 10 * S, 0)).toBe(false);
    expect(await b.release(r('w'), 'b')).toBe(false);
    expect(await b.exists(r('w'), 'a')).toBe(true);
    expect(await b.exists(r('w'), 'b')).toBe(false);
    expect(await b.exists(r('w'), '*')).toBe(true);
    expect(await b.release(r('w'), 'a')).toBe(true);
    expect(await b.release(r('w'), 'a')).toBe(false);
    expect(await b.exists(r('w'), '*')).toBe(false);
  });

  it('readers share; a writer waits for them; the only reader may promote itself', async () => {
    expect(await b.lockRead(r('r'), 'a', 10 * S, 0)).toBe(true);
    expect(await b.lockRead(r('r'), 'b', 10 * S, 0)).toBe(true);
    expect(await b.lockRead(r('r'), 'b', 10 * S, 0)).toBe(false);
    expect(await b.lock(r('r'), 'a', 10 * S, 0)).toBe(false);
    expect(await b.release(r('r'), 'b')).toBe(true);
    expect(await b.lock(r('r'), 'a', 10 * S, 0)).toBe(true);
    expect(await b.lockRead(r('r'), 'b', 10 * S, 0)).toBe(false);
    expect(await b.forceRelease(r('r'))).toBe(true);
    expect(await b.forceRelease(r('r'))).toBe(false);
  });

  it('a waiting Lock gets the resource when the holder releases, and gives up at its wait', async () => {
    expect(await b.lock(r('q'), 'a', 10 * S, 0)).toBe(true);
    const started = Date.now();
    expect(await b.lock(r('q'), 'b', 10 * S, 150_000)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const waiting = b.lock(r('q'), 'b', 10 * S, 5 * S);
    await new Promise((res) => setImmediate(res));
    expect(await b.release(r('q'), 'a')).toBe(true);
    expect(await waiting).toBe(true);
    expect(await b.exists(r('q'), 'b')).toBe(true);
    await b.release(r('q'), 'b');
  });

  it('a TTL expires the lock (observed with a bounded poll); UpdateTTL extends only the owner\'s', async () => {
    expect(await b.lock(r('t'), 'a', 200_000, 0)).toBe(true);
    expect(await b.updateTtl(r('t'), 'other', 10 * S)).toBe(false);
    expect(await until(async () => !(await b.exists(r('t'), 'a')), 3000)).toBeGreaterThan(0);
    expect(await b.lock(r('t'), 'b', 200_000, 0)).toBe(true);
    expect(await b.updateTtl(r('t'), 'b', 60 * S)).toBe(true);
    expect(await b.lock(r('t'), 'c', 0, 400_000)).toBe(false);
    expect(await b.exists(r('t'), 'b')).toBe(true);
    // A waiter gets a lock freed by expiry, not only by release.
    expect(await b.updateTtl(r('t'), 'b', 100_000)).toBe(true);
    expect(await b.lock(r('t'), 'c', 0, 3 * S)).toBe(true);
    expect(await b.forceRelease(r('t'))).toBe(true);
  });
}

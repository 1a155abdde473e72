import { createHash, randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Payload } from '@rr/pool-api';
import type { StaticPool } from '../src/pool.js';

/**
 * The request/response behaviour every worker must show, whichever PHP code implements it: the
 * worker answers a JSON context with the same context and body. Run against the raw test worker and
 * against a worker built on rr's PHP library.
 */
export function requestResponseSuite(start: () => Promise<StaticPool>): void {
  it('answers 2,000 concurrent requests, each with its own context and body', async () => {
    const pool = await start();
    const n = 2_000;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => {
      const ctx = JSON.stringify({ i });
      return pool.exec({ context: Buffer.from(ctx), body: Buffer.from(`body-${i}`), codec: 'json' }).then((r) => ({ i, r }));
    }));
    for (const { i, r } of results) {
      expect(Buffer.from(r.context).toString()).toBe(JSON.stringify({ i }));
      expect(Buffer.from(r.body).toString()).toBe(`body-${i}`);
    }
  });

  it('carries binary bodies byte for byte, empty bodies, and 8 MB both ways', async () => {
    const pool = await start();
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const r1 = await pool.exec({ context: Buffer.from('{"k":"bin"}'), body: binary });
    expect(Buffer.compare(Buffer.from(r1.body), binary)).toBe(0);
    const r2 = await pool.exec({ context: Buffer.from('{"k":"empty"}'), body: Buffer.alloc(0) });
    expect(r2.body.length).toBe(0);
    expect(Buffer.from(r2.context).toString()).toBe('{"k":"empty"}');
    const big = randomBytes(8 * 1024 * 1024);
    const r3: Payload = await pool.exec({ context: Buffer.from('{"k":"big"}'), body: big });
    expect(r3.body.length).toBe(big.length);
    expect(createHash('sha256').update(r3.body).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
  });
}

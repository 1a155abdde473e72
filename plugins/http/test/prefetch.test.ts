import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { cleanup, startHttp } from './helpers.js';

afterEach(cleanup);

interface Echo {
  ctx: { uri: string };
  body: string;
  pid: number;
}

// pool.prefetch at the HTTP level, with the worker built on rr's PHP library (the one that announces
// prefetch). The pool tests (plugins/pool/test/prefetch.test.ts) pin down each prefetch path; these
// check what a client sees when requests queue up behind each other in the workers' pipes.
describe('pool.prefetch over HTTP (lib worker)', () => {
  it('concurrent requests each get their own answer', async () => {
    const s = await startHttp({ worker: 'lib', http: { pool: { num_workers: 2, prefetch: true } } });
    const n = 96;
    const answers = await Promise.all(Array.from({ length: n }, async (_, i) => {
      const r = await request(`${s.url}/echo?n=${i}`, { method: 'POST', body: `body-${i}` });
      expect(r.statusCode).toBe(200);
      return { i, echo: await r.body.json() as Echo };
    }));
    // Which worker served which is not asserted: when requests trickle in, the warmest idle worker
    // (the pool is a stack) may take them all.
    for (const { i, echo } of answers) {
      expect(echo.ctx.uri).toMatch(new RegExp(`[?&]n=${i}$`));
      expect(echo.body).toBe(`body-${i}`);
    }
  });

  it('a crash fails only its own request; the requests sent at the same time are answered', async () => {
    const s = await startHttp({ worker: 'lib', http: { pool: { num_workers: 1, prefetch: true } } });
    // Sent together: one worker, so the followers queue behind the crash, some in the worker's pipe.
    const crash = request(`${s.url}/crash`);
    const followers = Array.from({ length: 8 }, (_, i) => request(`${s.url}/echo?f=${i}`));
    const crashed = await crash;
    expect(crashed.statusCode).toBe(500);
    await crashed.body.dump();
    // Arrival order is not fixed (several connections), so a follower may also have been answered
    // before the crash; none may fail, and none may get another request's answer.
    await Promise.all(followers.map(async (p, i) => {
      const r = await p;
      expect(r.statusCode).toBe(200);
      const echo = await r.body.json() as Echo;
      expect(echo.ctx.uri).toMatch(new RegExp(`[?&]f=${i}$`));
    }));
  });
});

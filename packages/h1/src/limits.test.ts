import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeanHandler } from './server.js';
import { RawClient, bytesRead, closeAll, deferred, startLane } from '../test/harness.js';

afterEach(closeAll);

const ok: LeanHandler = (req, res) => res.end(`ok ${req.url}`);
const get = (url: string): string => `GET ${url} HTTP/1.1\r\nHost: t\r\n\r\n`;

describe('maxBodySize', () => {
  it('a body over the limit is not read: the handler sees bodyTooLarge, the connection closes after its answer', async () => {
    const seen: Array<[string, boolean, number]> = [];
    const lane = await startLane((req, res) => {
      seen.push([req.url!, req.bodyTooLarge, req.body.length]);
      res.statusCode = req.bodyTooLarge ? 413 : 200;
      res.end(req.bodyTooLarge ? 'too large' : req.body);
    }, { maxBodySize: 16 });
    const c = await RawClient.connect(lane.port);
    const atLimit = 'x'.repeat(16);
    await c.send(`POST /fits HTTP/1.1\r\nHost: t\r\nContent-Length: 16\r\n\r\n${atLimit}`);
    await c.responses(1);
    await c.send(`POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n${'y'.repeat(17)}${get('/behind')}`);
    const rs = await c.closeAndResponses();
    expect(rs.map((r) => [r.status, r.body.toString()])).toEqual([[200, atLimit], [413, 'too large']]);
    expect(rs[1]!.headers['connection']).toEqual(['close']);
    expect(seen).toEqual([['/fits', false, 16], ['/big', true, 0]]);
  });

  it('answers at once when only the head of a huge body has arrived', async () => {
    const lane = await startLane((req, res) => {
      res.statusCode = req.bodyTooLarge ? 413 : 200;
      res.end();
    }, { maxBodySize: 1024 });
    const c = await RawClient.connect(lane.port);
    await c.send('PUT /huge HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\npartial');
    const [r] = await c.closeAndResponses(['PUT']);
    expect(r!.status).toBe(413);
  });
});

describe('timeouts (small values; every wait is for the socket to close)', () => {
  const READ = 100;
  // The sweeper's clock is coarse (it advances every quarter of the smallest limit, later on a busy
  // machine), so a close may come early by that much: lower bounds are half the limit.
  const EARLIEST = (limit: number): number => limit / 2;

  async function closedAfter(c: RawClient, since: number): Promise<number> {
    await c.closed;
    return performance.now() - since;
  }

  it('a head that stops arriving is closed after readTimeoutMs, with nothing written', async () => {
    const lane = await startLane(ok, { readTimeoutMs: READ, idleTimeoutMs: 60_000 });
    const c = await RawClient.connect(lane.port);
    const t0 = performance.now();
    await c.send('GET / HTTP/1.1\r\nHo');
    const took = await closedAfter(c, t0);
    expect(took).toBeGreaterThanOrEqual(EARLIEST(READ));
    expect(took).toBeLessThan(10_000);
    expect(c.text).toBe('');
  }, 15_000);

  it('a body that stops arriving is closed after readTimeoutMs; the handler never runs', async () => {
    let calls = 0;
    const lane = await startLane(() => { calls++; }, { readTimeoutMs: READ, idleTimeoutMs: 60_000 });
    const c = await RawClient.connect(lane.port);
    const t0 = performance.now();
    await c.send('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc');
    expect(await closedAfter(c, t0)).toBeGreaterThanOrEqual(EARLIEST(READ));
    expect(calls).toBe(0);
  }, 15_000);

  it('a connection that never sends a first request gets the read timeout, not the idle one (as Go)', async () => {
    const lane = await startLane(ok, { readTimeoutMs: READ, idleTimeoutMs: 60_000 });
    const c = await RawClient.connect(lane.port);
    const t0 = performance.now();
    const took = await closedAfter(c, t0);
    expect(took).toBeGreaterThanOrEqual(EARLIEST(READ));
    expect(took).toBeLessThan(10_000);
  }, 15_000);

  it('a head trickling in a byte at a time is still closed readTimeoutMs after its first byte', async () => {
    const lane = await startLane(ok, { readTimeoutMs: READ, idleTimeoutMs: 60_000 });
    const c = await RawClient.connect(lane.port);
    const head = `GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ${'s'.repeat(200)}\r\n\r\n`;
    let sent = 0;
    const allSent = deferred();
    // The client's pace is the stimulus here (a byte every READ/5 ms), not a synchronisation.
    const trickle = setInterval(() => {
      if (sent < head.length && !c.ended) void c.send(head[sent++]!).catch(() => undefined);
      else if (sent === head.length) allSent.resolve();
    }, READ / 5);
    try {
      await Promise.race([c.closed, allSent.promise]);
    } finally {
      clearInterval(trickle);
    }
    expect(sent).toBeLessThan(head.length);
    expect(c.text).toBe('');
  }, 15_000);

  it('an idle keep-alive connection is closed after idleTimeoutMs, not after the read timeout', async () => {
    const IDLE = 400;
    const lane = await startLane(ok, { readTimeoutMs: READ, idleTimeoutMs: IDLE });
    const c = await RawClient.connect(lane.port);
    await c.send(get('/once'));
    await c.responses(1);
    const t0 = performance.now();
    const took = await closedAfter(c, t0);
    expect(took).toBeGreaterThanOrEqual(EARLIEST(IDLE));
    expect(took).toBeLessThan(10_000);
  }, 15_000);

  it('a client that never closes its side after a 400 is dropped by the server after readTimeoutMs', async () => {
    const lane = await startLane(ok, { readTimeoutMs: READ, idleTimeoutMs: 60_000 });
    const c = await RawClient.connect(lane.port, { allowHalfOpen: true });
    const serverEnded = new Promise<void>((resolve) => c.socket.once('end', () => resolve()));
    await c.send('BAD\r\n\r\n');
    await serverEnded;
    const t0 = performance.now();
    // Only the server side can tell: the client keeps its half open on purpose.
    const server = lane.sockets[0]!;
    await new Promise<void>((resolve) => (server.destroyed ? resolve() : server.once('close', () => resolve())));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(EARLIEST(READ));
    expect(c.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(lane.lean.connections).toBe(0);
  }, 15_000);

  it('a handler running longer than the read timeout is not cut off', async () => {
    const lane = await startLane((req, res) => {
      // Stands for a slow PHP worker.
      setTimeout(() => ok(req, res), READ * 4);
    }, { readTimeoutMs: READ, idleTimeoutMs: 60_000 });
    const c = await RawClient.connect(lane.port);
    await c.send(get('/slow'));
    expect((await c.responses(1))[0]!.body.toString()).toBe('ok /slow');
  });

  it('the read timeout counts from the end of the previous response for a pipelined request', async () => {
    const lane = await startLane(ok, { readTimeoutMs: READ, idleTimeoutMs: 60_000 });
    const c = await RawClient.connect(lane.port);
    await c.send(`${get('/a')}GET /b HTTP/1.1\r\n`);
    await c.responses(1);
    await bytesRead(lane.sockets[0]!, get('/a').length + 16);
    await c.closed;
    expect(c.text.match(/HTTP\/1\.1 200/g)).toHaveLength(1);
  }, 15_000);
});

import { afterEach, describe, expect, it } from 'vitest';
import type { LeanResponse } from './lean-response.js';
import type { LeanHandler } from './server.js';
import { RawClient, closeAll, deferred, startLane } from '../test/harness.js';

afterEach(closeAll);

const get = (url: string): string => `GET ${url} HTTP/1.1\r\nHost: t\r\n\r\n`;
// Timeouts far beyond the test: any close seen here comes from the drain, not from a timer.
const LONG = { readTimeoutMs: 60_000, idleTimeoutMs: 60_000 };

/** A handler that answers /fast at once and holds every other request until `release()`. */
function gated(): { handler: LeanHandler; started: Promise<LeanResponse>; release: () => void } {
  const started = deferred<LeanResponse>();
  const gate = deferred();
  const handler: LeanHandler = (req, res) => {
    if (req.url === '/fast') {
      res.end('fast');
      return;
    }
    started.resolve(res);
    void gate.promise.then(() => res.end(`done ${req.url}`));
  };
  return { handler, started: started.promise, release: () => gate.resolve() };
}

describe('drain (closeIdleConnections)', () => {
  it('closes idle connections at once: one between requests, one that never sent anything', async () => {
    const lane = await startLane((_req, res) => res.end('x'), LONG);
    const used = await RawClient.connect(lane.port);
    await used.send(get('/'));
    await used.responses(1);
    const fresh = await RawClient.connect(lane.port);
    await new Promise<void>((resolve) => (lane.sockets.length === 2 ? resolve() : lane.lean.server.once('connection', () => resolve())));
    lane.lean.closeIdleConnections();
    await Promise.all([used.closed, fresh.closed]);
    expect(used.text.match(/HTTP\/1\.1 200/g)).toHaveLength(1);
    expect(fresh.text).toBe('');
  }, 5_000);

  it('a busy connection answers with Connection: close, then closes', async () => {
    const g = gated();
    const lane = await startLane(g.handler, LONG);
    const c = await RawClient.connect(lane.port);
    await c.send(get('/busy'));
    await g.started;
    lane.lean.closeIdleConnections();
    expect(c.ended).toBe(false);
    g.release();
    const [r] = await c.closeAndResponses();
    expect(r!.body.toString()).toBe('done /busy');
    expect(r!.headers['connection']).toEqual(['close']);
  }, 5_000);

  it('pipelined requests behind the busy one are not served once draining', async () => {
    const g = gated();
    const lane = await startLane(g.handler, LONG);
    const c = await RawClient.connect(lane.port);
    await c.send(get('/busy') + get('/fast'));
    await g.started;
    lane.lean.closeIdleConnections();
    g.release();
    const rs = await c.closeAndResponses();
    expect(rs.map((r) => r.body.toString())).toEqual(['done /busy']);
  }, 5_000);

  it('a response whose head went out before the drain still closes the connection when it ends', async () => {
    const wrote = deferred();
    const gate = deferred();
    const lane = await startLane((_req, res) => {
      res.write('head and first chunk, ');
      wrote.resolve();
      void gate.promise.then(() => res.end('last chunk'));
    }, LONG);
    const c = await RawClient.connect(lane.port);
    await c.send(get('/stream'));
    await wrote.promise;
    lane.lean.closeIdleConnections();
    gate.resolve();
    const [r] = await c.closeAndResponses();
    expect(r!.framing).toBe('chunked');
    expect(r!.body.toString()).toBe('head and first chunk, last chunk');
  }, 5_000);

  it('a connection accepted while draining is closed at once', async () => {
    const lane = await startLane((_req, res) => res.end('x'), LONG);
    lane.lean.closeIdleConnections();
    const c = await RawClient.connect(lane.port);
    await c.closed;
    expect(c.text).toBe('');
  }, 5_000);
});

describe('the client goes away while the handler runs', () => {
  it("res emits 'close' and is destroyed; writing to it fails quietly", async () => {
    const g = gated();
    const lane = await startLane(g.handler, LONG);
    const c = await RawClient.connect(lane.port);
    await c.send(get('/abandoned'));
    const res = await g.started;
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    c.socket.destroy();
    await closed;
    expect(res.destroyed).toBe(true);
    expect(res.write('late')).toBe(false);
    expect(lane.lean.connections).toBe(0);
    g.release(); // end() on a destroyed response is a no-op
  });

  it("a half-closed client (FIN after the request) still makes res emit 'close'", async () => {
    const g = gated();
    const lane = await startLane(g.handler, LONG);
    const c = await RawClient.connect(lane.port);
    await c.send(get('/half'));
    const res = await g.started;
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    c.socket.end();
    await closed;
    expect(res.destroyed).toBe(true);
    g.release();
  });

  it("res.destroy() drops the connection and emits 'close'", async () => {
    const closed = deferred<boolean>();
    const lane = await startLane((_req, res) => {
      res.on('close', () => closed.resolve(res.destroyed));
      res.write('partial');
      res.destroy();
    }, LONG);
    const c = await RawClient.connect(lane.port);
    await c.send(get('/'));
    await c.closed;
    expect(c.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n7\r\npartial\r\n$/);
    expect(await closed.promise).toBe(true);
  });
});

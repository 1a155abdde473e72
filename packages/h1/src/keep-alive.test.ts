import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeanHandler } from './server.js';
import { RawClient, bytesRead, closeAll, deferred, startLane } from '../test/harness.js';

afterEach(closeAll);

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Answers `<METHOD> <url> <body length> <body sha256 prefix>`. */
const echo: LeanHandler = (req, res) => {
  res.end(`${req.method} ${req.url} ${req.body.length} ${sha(req.body).slice(0, 16)}`);
};
const expected = (method: string, url: string, body: Buffer = Buffer.alloc(0)): string =>
  `${method} ${url} ${body.length} ${sha(body).slice(0, 16)}`;

const get = (url: string, extra = ''): string => `GET ${url} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;
const post = (url: string, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`POST ${url} HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);

describe('keep-alive', () => {
  it('HTTP/1.1 keeps the connection by default (no Connection header in the answer)', async () => {
    const lane = await startLane(echo);
    const c = await RawClient.connect(lane.port);
    await c.send(get('/1'));
    const [first] = await c.responses(1);
    expect(first!.headers['connection']).toBeUndefined();
    await c.send(get('/2'));
    const both = await c.responses(2);
    expect(both.map((r) => r.body.toString())).toEqual([expected('GET', '/1'), expected('GET', '/2')]);
    expect(c.ended).toBe(false);
    expect(lane.sockets).toHaveLength(1);
  });

  it('HTTP/1.1 Connection: close is answered with Connection: close, then the server closes', async () => {
    const lane = await startLane(echo);
    const c = await RawClient.connect(lane.port);
    await c.send(get('/bye', 'Connection: close\r\n'));
    const [r] = await c.closeAndResponses();
    expect(r!.headers['connection']).toEqual(['close']);
    expect(r!.body.toString()).toBe(expected('GET', '/bye'));
  });

  it('HTTP/1.0 without keep-alive: an HTTP/1.0 answer with Connection: close, then close', async () => {
    const lane = await startLane(echo);
    const c = await RawClient.connect(lane.port);
    await c.send('GET /old HTTP/1.0\r\n\r\n');
    const [r] = await c.closeAndResponses();
    expect(r!.version).toBe('HTTP/1.0');
    expect(r!.headers['connection']).toEqual(['close']);
    expect(r!.framing).toBe('length');
  });

  it('HTTP/1.0 with Connection: keep-alive gets Connection: keep-alive and stays open', async () => {
    const lane = await startLane(echo);
    const c = await RawClient.connect(lane.port);
    await c.send('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [r] = await c.responses(1);
    expect(r!.headers['connection']).toEqual(['keep-alive']);
    await c.send('GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect((await c.responses(2))[1]!.body.toString()).toBe(expected('GET', '/b'));
    expect(c.ended).toBe(false);
  });
});

describe('pipelining', () => {
  it('answers several requests from one packet in order, one handler at a time', async () => {
    let running = 0;
    let overlap = false;
    const lane = await startLane((req, res) => {
      running++;
      if (running > 1) overlap = true;
      // Later requests answer sooner: order must come from the connection, not from timing.
      let ticks = 5 - Number(req.url!.slice(1));
      const step = (): void => {
        if (ticks-- > 0) {
          setImmediate(step);
          return;
        }
        running--;
        echo(req, res);
      };
      step();
    });
    const c = await RawClient.connect(lane.port);
    const bodyB = Buffer.from('second body');
    await c.send(Buffer.concat([Buffer.from(get('/1'), 'latin1'), post('/2', bodyB), Buffer.from(get('/3') + get('/4'), 'latin1')]));
    const rs = await c.responses(4);
    expect(rs.map((r) => r.body.toString())).toEqual([
      expected('GET', '/1'), expected('POST', '/2', bodyB), expected('GET', '/3'), expected('GET', '/4'),
    ]);
    expect(overlap).toBe(false);
  });

  it('handlers that answer synchronously serve a long pipeline without recursion', async () => {
    const lane = await startLane(echo);
    const c = await RawClient.connect(lane.port);
    const n = 2000;
    let all = '';
    for (let i = 0; i < n; i++) all += get(`/${i}`);
    await c.send(all);
    const rs = await c.responses(n);
    expect(rs.map((r) => r.body.toString())).toEqual(Array.from({ length: n }, (_, i) => expected('GET', `/${i}`)));
  });

  it('parses requests that arrive byte by byte (head and body)', async () => {
    const lane = await startLane(echo);
    const c = await RawClient.connect(lane.port);
    const body = Buffer.from('hello, split body');
    await c.sendBytewise(Buffer.concat([post('/p', body), Buffer.from(get('/g'), 'latin1')]));
    const rs = await c.responses(2);
    expect(rs.map((r) => r.body.toString())).toEqual([expected('POST', '/p', body), expected('GET', '/g')]);
  });

  it('pipelined bytes beyond the 64 KiB buffer while a handler runs pause the socket, and all are served', async () => {
    const gate = deferred();
    const lane = await startLane((req, res) => {
      if (req.url === '/wait') void gate.promise.then(() => echo(req, res));
      else echo(req, res);
    });
    const c = await RawClient.connect(lane.port);
    const body = randomBytes(2048);
    const parts: Buffer[] = [Buffer.from(get('/wait'), 'latin1')];
    for (let i = 0; i < 100; i++) parts.push(post(`/${i}`, body));
    const wire = Buffer.concat(parts);
    // The client cannot finish sending while the server holds back; don't await the write.
    void c.send(wire);
    await bytesRead(lane.sockets[0]!, 64 * 1024);
    gate.resolve();
    const rs = await c.responses(101);
    expect(rs[0]!.body.toString()).toBe(expected('GET', '/wait'));
    expect(rs.slice(1).map((r) => r.body.toString())).toEqual(Array.from({ length: 100 }, (_, i) => expected('POST', `/${i}`, body)));
  });

  it('undici with pipelining 10 gets every answer on one connection', async () => {
    const lane = await startLane(echo);
    const client = new Client(`http://127.0.0.1:${lane.port}`, { pipelining: 10 });
    try {
      const bodies = Array.from({ length: 30 }, (_, i) => Buffer.from(`body ${i}`));
      const answers = await Promise.all(bodies.map(async (b, i) => {
        const r = await client.request({ path: `/u${i}`, method: i % 2 === 0 ? 'GET' : 'PUT', ...(i % 2 === 0 ? {} : { body: b }) });
        return [r.statusCode, await r.body.text()];
      }));
      expect(answers).toEqual(bodies.map((b, i) => [200, i % 2 === 0 ? expected('GET', `/u${i}`) : expected('PUT', `/u${i}`, b)]));
      expect(lane.sockets).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

describe('request bodies', () => {
  it('waits for a body split across packets before running the handler', async () => {
    let called = 0;
    const lane = await startLane((req, res) => {
      called++;
      echo(req, res);
    });
    const c = await RawClient.connect(lane.port);
    const body = Buffer.from('0123456789abcdef');
    const wire = post('/split', body);
    const cut = wire.length - 6;
    await c.send(wire.subarray(0, cut));
    await bytesRead(lane.sockets[0]!, cut);
    expect(called).toBe(0);
    await c.send(wire.subarray(cut));
    expect((await c.responses(1))[0]!.body.toString()).toBe(expected('POST', '/split', body));
    expect(called).toBe(1);
  });

  it('reads a body larger than 64 KiB sent in many writes, and the request behind it', async () => {
    const lane = await startLane(echo);
    const c = await RawClient.connect(lane.port);
    const body = randomBytes(300 * 1024 + 17);
    const wire = Buffer.concat([post('/big', body), Buffer.from(get('/after'), 'latin1')]);
    for (let at = 0; at < wire.length; at += 7001) await c.send(wire.subarray(at, at + 7001));
    const rs = await c.responses(2);
    expect(rs.map((r) => r.body.toString())).toEqual([expected('POST', '/big', body), expected('GET', '/after')]);
  });

  it('gives the handler the exact bytes over undici (binary body, 1 MiB limit)', async () => {
    let seen: Buffer | undefined;
    const lane = await startLane((req, res) => {
      seen = req.body;
      res.end();
    });
    const body = randomBytes(1024 * 1024);
    const client = new Client(`http://127.0.0.1:${lane.port}`);
    try {
      const r = await client.request({ path: '/bin', method: 'POST', body });
      await r.body.dump();
      expect(r.statusCode).toBe(200);
      expect(seen?.equals(body)).toBe(true);
    } finally {
      await client.close();
    }
  });
});

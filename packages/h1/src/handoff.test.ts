import { connect as connectH2, createServer as createH2Server, type ClientHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LeanHandler } from './server.js';
import { RawClient, bytesRead, closeAll, startLane } from '../test/harness.js';

afterEach(closeAll);

const lean: LeanHandler = (req, res) => res.end(`lean ${req.method} ${req.url}`);
const get = (url: string): string => `GET ${url} HTTP/1.1\r\nHost: t\r\n\r\n`;
const chunkedPost = (url: string, ...chunks: string[]): string =>
  `POST ${url} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('')}0\r\n\r\n`;

describe('handoff to node:http (fallback)', () => {
  it('a chunked POST is served by the fallback; the lean handler never sees it', async () => {
    let leanCalls = 0;
    const lane = await startLane((req, res) => {
      leanCalls++;
      lean(req, res);
    });
    const c = await RawClient.connect(lane.port);
    await c.send(chunkedPost('/c', 'hello ', 'world'));
    const [r] = await c.responses(1);
    expect(r!.body.toString()).toBe('fallback POST /c hello world');
    expect(lane.fallbackCalls.map((f) => f.headers['transfer-encoding'])).toEqual(['chunked']);
    expect(leanCalls).toBe(0);
    expect(lane.lean.connections).toBe(0);
  });

  it('a chunked body whose rest arrives after the handoff is read by node:http from the socket', async () => {
    const lane = await startLane(lean);
    const c = await RawClient.connect(lane.port);
    const wire = chunkedPost('/late', 'first part, ', 'second part');
    const cut = wire.indexOf('second');
    await c.send(wire.slice(0, cut));
    await bytesRead(lane.sockets[0]!, cut);
    await c.send(wire.slice(cut));
    expect((await c.responses(1))[0]!.body.toString()).toBe('fallback POST /late first part, second part');
  });

  it('Expect: 100-continue gets node:http\'s 100 Continue, then the fallback reads the body', async () => {
    const lane = await startLane(lean);
    const c = await RawClient.connect(lane.port);
    await c.send('PUT /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    await c.until((d) => (d.toString('latin1').includes('\r\n\r\n') ? true : undefined));
    expect(c.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    await c.send('body');
    const [cont, final] = await c.responses(2, ['PUT']);
    expect(cont!.status).toBe(100);
    expect(final!.body.toString()).toBe('fallback PUT /e body');
  });

  it('after lean requests on the same connection: answers stay in order, later requests go to node:http', async () => {
    const lane = await startLane(lean);
    const c = await RawClient.connect(lane.port);
    // One packet: two lean requests, then a chunked one that moves the connection to node:http.
    await c.send(get('/1') + get('/2') + chunkedPost('/3', 'x') + get('/4'));
    const rs = await c.responses(4);
    expect(rs.map((r) => r.body.toString())).toEqual(['lean GET /1', 'lean GET /2', 'fallback POST /3 x', 'fallback GET /4 ']);
    expect(lane.sockets).toHaveLength(1);
  });

  it('Expect: 100-continue after a lean request on the same connection', async () => {
    const lane = await startLane(lean);
    const c = await RawClient.connect(lane.port);
    await c.send(get('/first'));
    await c.responses(1);
    await c.send('POST /second HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    await c.until((d) => (d.toString('latin1').includes('100 Continue') ? true : undefined));
    await c.send('ok');
    const rs = await c.responses(3, ['GET', 'POST']);
    expect(rs.map((r) => [r.status, r.body.toString()])).toEqual([[200, 'lean GET /first'], [100, ''], [200, 'fallback POST /second ok']]);
  });

  it('Upgrade reaches the fallback\'s upgrade event with the bytes after the head', async () => {
    const lane = await startLane(lean);
    const upgraded = new Promise<string>((resolve) => {
      lane.fallback.on('upgrade', (req, socket: Socket, head: Buffer) => {
        socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n${head.toString()}`);
        resolve(`${req.headers.upgrade} ${head.toString()}`);
      });
    });
    const c = await RawClient.connect(lane.port);
    await c.send('GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nfirst-frame');
    expect(await upgraded).toBe('echo first-frame');
    await c.closed;
    expect(c.text).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n[^]*\r\n\r\nfirst-frame$/);
  });

  it('CONNECT reaches the fallback\'s connect event', async () => {
    const lane = await startLane(lean);
    const target = new Promise<string>((resolve) => {
      lane.fallback.on('connect', (req, socket: Socket) => {
        socket.end('HTTP/1.1 200 Connection Established\r\n\r\n');
        resolve(req.url ?? '');
      });
    });
    const c = await RawClient.connect(lane.port);
    await c.send('CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n');
    expect(await target).toBe('example.test:443');
    await c.closed;
    expect(c.text).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
  });
});

describe('handoff to HTTP/2 (h2c with prior knowledge)', () => {
  async function h2get(session: ClientHttp2Session, path: string): Promise<[number, string]> {
    return new Promise((resolve, reject) => {
      const stream = session.request({ ':path': path });
      let status = 0;
      let body = '';
      stream.on('response', (h) => { status = Number(h[':status']); });
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => { body += d; });
      stream.on('end', () => resolve([status, body]));
      stream.on('error', reject);
      stream.end();
    });
  }

  it('a connection opening with the preface is served by the http2 server', async () => {
    const h2 = createH2Server((req, res) => res.end(`h2 ${req.httpVersion} ${req.url}`));
    const lane = await startLane(lean, { h2 });
    const session = connectH2(`http://127.0.0.1:${lane.port}`);
    try {
      expect(await h2get(session, '/one')).toEqual([200, 'h2 2.0 /one']);
      expect(await h2get(session, '/two')).toEqual([200, 'h2 2.0 /two']);
      expect(lane.lean.connections).toBe(0);
    } finally {
      session.destroy();
      h2.close();
    }
    // The same port still serves HTTP/1.1 on other connections.
    const c = await RawClient.connect(lane.port);
    await c.send(get('/h1'));
    expect((await c.responses(1))[0]!.body.toString()).toBe('lean GET /h1');
  });
});

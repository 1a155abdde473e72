import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { httpMiddlewareToken, type Middleware } from '@rr/http-api';
import { definePlugin } from '@rr/plugin-api';
import { cleanup, startHttp, tempDir, type StartOptions, type Started } from './helpers.js';
import { FcgiClient, T, begin, cgiParams, pairs, parsePairs, record, stream, type FcgiResponse } from './fcgi-client.js';

const clients: FcgiClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await cleanup();
});

interface Echo {
  ctx: { method: string; uri: string; rawQuery: string; remoteAddr: string; protocol: string; headers: Record<string, string[]>; cookies: Record<string, string>; parsed: boolean; body?: unknown };
  body: string | null;
  bodyLen: number;
  bodyMd5: string;
}

interface Fcgi {
  s: Started;
  path: string;
  client(): Promise<FcgiClient>;
}

/** rr with only a FastCGI listener, on a unix socket in the test's temp dir. */
async function startFcgi(o: StartOptions = {}): Promise<Fcgi> {
  const path = join(tempDir('rr-fcgi-'), 'rr.sock');
  const s = await startHttp({ ...o, http: { address: '', fcgi: { address: `unix://${path}` }, ...o.http } });
  return { s, path, client: () => connectClient({ path }) };
}

async function connectClient(target: { path: string } | { host: string; port: number }): Promise<FcgiClient> {
  const c = await FcgiClient.connect(target);
  clients.push(c);
  return c;
}

function middlewarePlugin(name: string, middleware: Middleware) {
  return definePlugin({
    name: `mw_${name}`,
    kernel: '^0.1.0',
    contributes: [httpMiddlewareToken],
    init(ctx) {
      ctx.contribute(httpMiddlewareToken, { name, middleware });
    },
  });
}

function json(r: FcgiResponse): Echo {
  return JSON.parse(r.body.toString()) as Echo;
}

function header(r: FcgiResponse, name: string): string[] {
  return r.headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

describe('fastcgi listener: requests', () => {
  it('GET with a query: method, uri, rawQuery, headers, remote address from REMOTE_ADDR', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const r = await c.request(1, cgiParams('GET', '/echo?a=1&b%5B%5D=2', [
      ['HTTP_HOST', 'example.test:8080'], ['HTTP_X_FOO', 'bar'], ['REMOTE_ADDR', '203.0.113.7'], ['REMOTE_PORT', '4444'],
    ]));
    expect(r.status).toBe(200);
    expect(r.statusLine).toBe('200 OK');
    expect(r.protocolStatus).toBe(0);
    const e = json(r);
    expect(e.ctx.method).toBe('GET');
    expect(e.ctx.protocol).toBe('HTTP/1.1');
    expect(e.ctx.uri).toBe('http://example.test:8080/echo?a=1&b%5B%5D=2');
    expect(e.ctx.rawQuery).toBe('a=1&b%5B%5D=2');
    expect(e.ctx.remoteAddr).toBe('203.0.113.7');
    expect(e.ctx.headers['X-Foo']).toEqual(['bar']);
    expect(e.ctx.headers['Host']).toBeUndefined();
    // Only what the FastCGI client sent: no framing headers of the in-memory hop.
    expect(Object.keys(e.ctx.headers).sort()).toEqual(['X-Foo']);
  });

  it('repeated HTTP_* params stay repeated headers; cookies; IPv6 REMOTE_ADDR; HTTPS=on gives an https uri', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const r = await c.request(7, cgiParams('GET', '/echo', [
      ['HTTP_X_MULTI', 'one'], ['HTTP_X_MULTI', 'two'], ['HTTP_COOKIE', 'a=1; b=two'],
      ['REMOTE_ADDR', '2001:db8::5'], ['REMOTE_PORT', '9'], ['HTTPS', 'on'], ['HTTP_HOST', 'secure.test'],
    ]));
    const e = json(r);
    expect(e.ctx.headers['X-Multi']).toEqual(['one', 'two']);
    expect(e.ctx.cookies).toEqual({ a: '1', b: 'two' });
    expect(e.ctx.remoteAddr).toBe('2001:db8::5');
    expect(e.ctx.uri).toBe('https://secure.test/echo');
  });

  it('REQUEST_URI missing: SCRIPT_NAME + PATH_INFO + QUERY_STRING', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const r = await c.request(2, [['REQUEST_METHOD', 'GET'], ['SCRIPT_NAME', '/echo'], ['PATH_INFO', '/x'], ['QUERY_STRING', 'q=1'], ['HTTP_HOST', 'h']]);
    expect(json(r).ctx.uri).toBe('http://h/echo/x?q=1');
  });

  it('POST bodies over 64 KiB arrive whole through several STDIN records', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const body = Buffer.alloc(300_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + 3) & 0xff;
    const r = await c.request(3, cgiParams('POST', '/echo', [
      ['CONTENT_TYPE', 'application/octet-stream'], ['CONTENT_LENGTH', String(body.length)], ['HTTP_CONTENT_LENGTH', String(body.length)],
    ]), { body, chunk: 40_000 });
    expect(r.status).toBe(200);
    const e = json(r);
    expect(e.bodyLen).toBe(body.length);
    expect(e.bodyMd5).toBe(createHash('md5').update(body).digest('hex'));
    expect(e.ctx.headers['Content-Type']).toEqual(['application/octet-stream']);
    expect(e.ctx.headers['Content-Length']).toEqual([String(body.length)]);
  });

  it('a urlencoded POST is parsed into the form tree', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const body = Buffer.from('name=rr&list[]=a&list[]=b');
    const r = await c.request(4, cgiParams('POST', '/echo', [
      ['CONTENT_TYPE', 'application/x-www-form-urlencoded'], ['CONTENT_LENGTH', String(body.length)],
    ]), { body });
    const e = json(r);
    expect(e.ctx.parsed).toBe(true);
    expect(e.body).toBe(JSON.stringify({ name: 'rr', list: ['a', 'b'] }));
  });

  it('a body that ends before CONTENT_LENGTH answers 400; broken params too', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const r = await c.request(5, cgiParams('POST', '/echo', [['CONTENT_LENGTH', '100']]), { body: Buffer.from('short') });
    expect(r.status).toBe(400);
    const bad = await c.request(6, cgiParams('GET', '/echo x', []));
    expect(bad.status).toBe(400);
    expect((await c.request(8, cgiParams('GET', '/hello'))).body.toString()).toBe('Hello, world!');
  });
});

describe('fastcgi listener: responses', () => {
  it('Status line, repeated headers, no hop-by-hop headers; big bodies in ≤ 65535-byte records', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const r = await c.request(1, cgiParams('GET', '/headers'));
    expect(r.status).toBe(200);
    expect(header(r, 'Set-Cookie')).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(header(r, 'X-Lower-Case')).toEqual(['v1', 'v2']);
    expect(header(r, 'Connection')).toEqual([]);
    expect(header(r, 'Keep-Alive')).toEqual([]);
    expect(header(r, 'Transfer-Encoding')).toEqual([]);
    expect(r.body.toString()).toBe('h');

    const big = await c.request(2, cgiParams('GET', '/big/300000'));
    expect(big.body.length).toBe(300_000);
    expect(big.stdoutRecords).toBeGreaterThanOrEqual(5);
    expect(c.records.filter((x) => x.type === T.STDOUT).every((x) => x.content.length <= 65535)).toBe(true);
    const nf = await c.request(3, cgiParams('GET', '/status/404'));
    expect(nf.statusLine).toBe('404 Not Found');
  });

  it('HEAD answers headers only; SERVER_PROTOCOL HTTP/1.0 is the context protocol', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const head = await c.request(1, cgiParams('HEAD', '/hello'));
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const old = await c.request(2, cgiParams('GET', '/echo', [['SERVER_PROTOCOL', 'HTTP/1.0']]));
    expect(json(old).ctx.protocol).toBe('HTTP/1.0');
  });

  it('a streamed response arrives frame by frame', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const r = await c.request(1, cgiParams('GET', '/stream/3'));
    expect(r.status).toBe(200);
    expect(r.stdoutRecords).toBeGreaterThanOrEqual(3);
  });
});

describe('fastcgi listener: failures', () => {
  it('a worker soft error answers internal_error_code; a crash too, and the next request works', async () => {
    const { client } = await startFcgi({ http: { internal_error_code: 502, pool: { num_workers: 1 } } });
    const c = await client();
    const soft = await c.request(1, cgiParams('GET', '/soft'));
    expect(soft.status).toBe(502);
    expect(soft.body.length).toBe(0);
    const crash = await c.request(2, cgiParams('GET', '/crash'));
    expect(crash.status).toBe(502);
    expect((await c.request(3, cgiParams('GET', '/hello'))).body.toString()).toBe('Hello, world!');
  });

  it('ABORT_REQUEST ends the request (END_REQUEST) and stops the worker stream', async () => {
    const { client } = await startFcgi({ http: { pool: { num_workers: 1 } } });
    const c = await client();
    const done = c.expect(9);
    c.write(Buffer.concat([begin(9, true), stream(T.PARAMS, 9, pairs(cgiParams('GET', '/streamforever?fcgi'))), stream(T.STDIN, 9, Buffer.alloc(0))]));
    await c.next((x) => x.id === 9 && x.type === T.STDOUT && x.content.length > 0);
    c.write(record(T.ABORT_REQUEST, 9));
    const r = await done;
    expect(r.protocolStatus).toBe(0);
    // The single worker is free again: the aborted stream was stopped.
    expect((await c.request(10, cgiParams('GET', '/hello'))).body.toString()).toBe('Hello, world!');
  });
});

describe('fastcgi listener: connections', () => {
  it('multiplexes requests on one connection: a quick one finishes while a slow one runs', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const slow = c.request(1, cgiParams('GET', '/sleep/400'));
    const quick = await c.request(2, cgiParams('GET', '/hello'));
    expect(quick.body.toString()).toBe('Hello, world!');
    const ends = c.records.filter((x) => x.type === T.END_REQUEST).map((x) => x.id);
    expect(ends).toEqual([2]);
    expect((await slow).body.toString()).toBe('slept 400');
  });

  it('FCGI_GET_VALUES answers what it knows; unknown types get UNKNOWN_TYPE; other roles UNKNOWN_ROLE', async () => {
    const { client } = await startFcgi();
    const c = await client();
    c.write(record(T.GET_VALUES, 0, pairs([['FCGI_MPXS_CONNS', ''], ['FCGI_NOPE', '']])));
    const values = await c.next((x) => x.type === T.GET_VALUES_RESULT);
    expect(parsePairs(values.content)).toEqual([['FCGI_MPXS_CONNS', '1']]);
    c.write(record(42, 0, Buffer.alloc(0)));
    const unknown = await c.next((x) => x.type === T.UNKNOWN_TYPE);
    expect(unknown.content[0]).toBe(42);
    const done = c.expect(5);
    c.write(begin(5, true, 2));
    expect((await done).protocolStatus).toBe(3);
    // The connection is still usable.
    expect((await c.request(6, cgiParams('GET', '/hello'))).status).toBe(200);
  });

  it('keep-conn: kept open across requests when set, closed after the answer when not', async () => {
    const { client } = await startFcgi();
    const kept = await client();
    expect((await kept.request(1, cgiParams('GET', '/hello'))).status).toBe(200);
    expect((await kept.request(1, cgiParams('GET', '/hello'))).status).toBe(200);
    expect(kept.socket.destroyed).toBe(false);
    const once = await client();
    expect((await once.request(1, cgiParams('GET', '/hello'), { keepConn: false })).status).toBe(200);
    await once.closed;
  });

  it('a garbage stream (not FastCGI) closes the connection', async () => {
    const { client } = await startFcgi();
    const c = await client();
    c.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await c.closed;
    expect(c.records).toEqual([]);
  });
});

describe('fastcgi listener: addresses and lifecycle', () => {
  it('drain: the socket stops accepting, idle connections close, requests in flight finish, the socket file goes', async () => {
    let entered = 0;
    let notify: () => void = () => undefined;
    const allIn = new Promise<void>((resolve) => { notify = resolve; });
    const counter: Middleware = (next) => async (req, res) => {
      if (++entered === 3) notify();
      res.setHeader('X-Chain', 'counter');
      await next(req, res);
    };
    const { s, path, client } = await startFcgi({ http: { middleware: ['counter'], pool: { num_workers: 3 } }, plugins: [middlewarePlugin('counter', counter)] });
    const idle = await client();
    expect((await idle.request(1, cgiParams('GET', '/hello'))).status).toBe(200);
    entered = 0;
    const a = await client();
    const b = await client();
    const inflight = [a.request(1, cgiParams('GET', '/sleep/200')), a.request(2, cgiParams('GET', '/sleep/250')), b.request(1, cgiParams('GET', '/sleep/200'))];
    await allIn;
    const stopping = s.stop();
    await idle.closed;
    const answers = await Promise.all(inflight);
    expect(answers.map((r) => [r.status, r.body.toString(), header(r, 'X-Chain')[0]])).toEqual([
      [200, 'slept 200', 'counter'], [200, 'slept 250', 'counter'], [200, 'slept 200', 'counter'],
    ]);
    await Promise.all([a.closed, b.closed]);
    await stopping;
    expect(existsSync(path)).toBe(false);
    await expect(FcgiClient.connect({ path })).rejects.toThrow();
  });

  it('tcp:// DSN on loopback', async () => {
    const { s, port } = await startOnFreePort();
    const c = await connectClient({ host: '127.0.0.1', port });
    const r = await c.request(1, cgiParams('GET', '/echo', [['REMOTE_ADDR', '10.1.2.3']]));
    expect(json(r).ctx.remoteAddr).toBe('10.1.2.3');
    await s.stop();
  });

  it('replaces a stale unix socket; refuses a live one and a regular file', async () => {
    const dir = tempDir('rr-fcgi-');
    const path = join(dir, 'stale.sock');
    await makeStaleSocket(path);
    expect(existsSync(path)).toBe(true);
    const s = await startHttp({ http: { address: '', fcgi: { address: `unix://${path}` } } });
    const c = await connectClient({ path });
    expect((await c.request(1, cgiParams('GET', '/hello'))).status).toBe(200);
    const second = await startHttp({ http: { address: '', fcgi: { address: `unix://${path}` } } }).then(() => undefined, (e: Error) => e);
    expect(String(second?.message)).toContain('another process accepts connections');
    await s.stop();
    const file = join(dir, 'file.sock');
    writeFileSync(file, 'x');
    const third = await startHttp({ http: { address: '', fcgi: { address: `unix://${file}` } } }).then(() => undefined, (e: Error) => e);
    expect(String(third?.message)).toContain('is not a unix socket');
    expect(existsSync(file)).toBe(true);
  });

  it('serves FastCGI next to the plain listener, same handler chain', async () => {
    const path = join(tempDir('rr-fcgi-'), 'rr.sock');
    const s = await startHttp({ http: { fcgi: { address: `unix://${path}` } } });
    expect(s.url).not.toBe('');
    const c = await connectClient({ path });
    const r = await c.request(1, cgiParams('GET', '/hello'));
    expect(r.body.toString()).toBe('Hello, world!');
    const line = await s.waitForRecord((x) => x.logger === 'http' && x.msg === 'http log');
    expect(line.fields).toMatchObject({ status: 200, method: 'GET', remote_address: '127.0.0.1:50000' });
  });
});

/** A unix socket file nobody listens on: a node process bound it and was killed. */
async function makeStaleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** rr does not log the fcgi address (as RoadRunner): pick a free port, retrying if it was taken meanwhile. */
async function startOnFreePort(): Promise<{ s: Started; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    try {
      return { s: await startHttp({ http: { address: '', fcgi: { address: `tcp://127.0.0.1:${port}` } } }), port };
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}

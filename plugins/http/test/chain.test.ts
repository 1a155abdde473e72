import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { httpMiddlewareToken, type Middleware } from '@rr/http-api';
import { definePlugin } from '@rr/plugin-api';
import { cleanup, startHttp } from './helpers.js';

afterEach(cleanup);

function middlewarePlugin(name: string, middleware: Middleware, lean = false) {
  return definePlugin({
    name: `mw_${name}`,
    kernel: '^0.1.0',
    contributes: [httpMiddlewareToken],
    init(ctx) {
      ctx.contribute(httpMiddlewareToken, { name, middleware, ...(lean ? { lean: true } : {}) });
    },
  });
}

const tagger = (tag: string): Middleware => (next) => async (req, res) => {
  res.setHeader('X-Order', [...((res.getHeader('X-Order') as string[] | undefined) ?? []), tag]);
  await next(req, res);
};

describe('access log', () => {
  it('writes "http log" with RoadRunner\'s fields and types', async () => {
    const s = await startHttp();
    const r = await request(`${s.url}/echo?q=1`, { method: 'POST', body: 'abc' });
    const text = await r.body.text();
    const line = await s.waitForRecord((x) => x.msg === 'http log');
    expect(line.logger).toBe('http');
    expect(line.level).toBe('info');
    expect(Object.keys(line.fields)).toEqual(['status', 'method', 'URI', 'URL', 'remote_address', 'read_bytes', 'write_bytes', 'start', 'elapsed']);
    expect(line.fields).toMatchObject({ status: 200, method: 'POST', URI: '/echo?q=1', URL: '/echo?q=1', read_bytes: 3, write_bytes: Buffer.byteLength(text) });
    expect(line.fields['remote_address']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(Number.isInteger(line.fields['elapsed'])).toBe(true);
    expect(line.fields['start']).toBeInstanceOf(Date);
  });

  it('writes "http access log" with the extra fields when access_logs is on', async () => {
    const s = await startHttp({ http: { access_logs: true } });
    await (await request(`${s.url}/hello?x=y`, { headers: { 'user-agent': 'ua/1', referer: 'http://ref/' } })).body.text();
    const line = await s.waitForRecord((x) => x.msg === 'http access log');
    expect(Object.keys(line.fields)).toEqual(['read_bytes', 'write_bytes', 'status', 'method', 'URI', 'URL', 'remote_address', 'query', 'content_len', 'host', 'user_agent', 'referer', 'time_local', 'request_time', 'start', 'elapsed']);
    expect(line.fields).toMatchObject({ status: 200, query: 'x=y', content_len: 0, user_agent: 'ua/1', referer: 'http://ref/', write_bytes: 13 });
    expect(line.fields['host']).toBe(new URL(s.url).host);
    expect(line.fields['time_local']).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d\d:\d\d:\d\d:\d\d [+-]\d{4}$/);
    expect(s.records.some((x) => x.msg === 'http log')).toBe(false);
  });

  it('logs nothing per request when info is disabled', async () => {
    const s = await startHttp({ enabled: ['warn', 'error'] });
    await (await request(`${s.url}/hello`)).body.text();
    expect(s.records.filter((x) => x.logger === 'http' && x.level !== 'debug')).toEqual([]);
  });
});

describe('middleware', () => {
  it('applies the list first to last (the last is outermost) around the access log; unknown names warn', async () => {
    const answered: string[] = [];
    const shortCircuit: Middleware = (next) => async (req, res) => {
      if (req.url === '/static.txt') {
        answered.push('static');
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('static file');
        return;
      }
      await next(req, res);
    };
    const s = await startHttp({
      http: { middleware: ['inner', 'nope', 'outer', 'static'] },
      plugins: [middlewarePlugin('inner', tagger('inner')), middlewarePlugin('outer', tagger('outer')), middlewarePlugin('static', shortCircuit)],
    });
    const r = await request(`${s.url}/hello`);
    expect(r.headers['x-order']).toEqual(['outer', 'inner']);
    await r.body.text();
    const warn = await s.waitForRecord((x) => x.msg === 'requested middleware does not exist');
    expect(warn.level).toBe('warn');
    expect(warn.fields).toEqual({ requested: 'nope' });
    await s.waitForRecord((x) => x.msg === 'http log' && x.fields['URI'] === '/hello');
    const st = await request(`${s.url}/static.txt`);
    expect(await st.body.text()).toBe('static file');
    expect(answered).toEqual(['static']);
    // Files answered by middleware outside the logger produce no line.
    expect(s.records.filter((x) => x.msg === 'http log').map((x) => x.fields['URI'])).toEqual(['/hello']);
  });
});

describe('HTTP/1 engine', () => {
  // Records which kind of request object each request arrived as.
  const spy = (seen: string[]): Middleware => (next) => async (req, res) => {
    seen.push((req as { lean?: boolean }).lean === true ? 'lean' : 'node');
    await next(req, res);
  };

  it.each([
    { lean: true, engine: 'lean' },
    { lean: false, engine: 'node:http' },
  ])('a middleware with lean=$lean puts plain HTTP/1 on $engine, and PHP sees the same request either way', async ({ lean, engine }) => {
    const seen: string[] = [];
    const s = await startHttp({ http: { middleware: ['spy'] }, plugins: [middlewarePlugin('spy', spy(seen), lean)] });
    const line = await s.waitForRecord((x) => x.msg === 'http/1 engine');
    expect(line.fields).toEqual({ engine });
    const r = await request(`${s.url}/echo?q=1`, { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
    expect(r.statusCode).toBe(200);
    expect(await r.body.text()).toContain('payload');
    // A chunked body is not the lean lane's: node:http takes the connection, PHP still gets the body.
    const chunked = await request(`${s.url}/echo`, { method: 'POST', body: (async function* () { yield 'chunk-'; yield 'ed'; })(), headers: { 'content-type': 'text/plain' } });
    expect(await chunked.body.text()).toContain('chunk-ed');
    expect(seen).toEqual(lean ? ['lean', 'node'] : ['node', 'node']);
  });

  it('the lean lane answers a body over max_request_size with 413 and closes the connection', async () => {
    const s = await startHttp({ http: { max_request_size: 1 } });
    const r = await request(`${s.url}/echo`, { method: 'POST', body: Buffer.alloc(1024 * 1024 + 1, 97) });
    expect(r.statusCode).toBe(413);
    expect(r.headers['connection']).toBe('close');
    expect(await r.body.text()).toBe('request body max size is exceeded\n');
  });
});

describe('drain', () => {
  it('stops accepting, lets every accepted request finish, then stops the pool', async () => {
    let entered = 0;
    let notify: () => void = () => undefined;
    const allIn = new Promise<void>((resolve) => { notify = resolve; });
    const counter: Middleware = (next) => async (req, res) => {
      if (++entered === 8) notify();
      await next(req, res);
    };
    const s = await startHttp({ http: { middleware: ['counter'], pool: { num_workers: 2 } }, plugins: [middlewarePlugin('counter', counter)] });
    const inflight = Array.from({ length: 8 }, () => request(`${s.url}/sleep/150`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() })));
    await allIn;
    const stopping = s.stop();
    const results = await Promise.all(inflight);
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ status: 200, body: 'slept 150' })));
    await stopping;
    await expect(request(`${s.url}/hello`)).rejects.toThrow();
  });
});

describe('config', () => {
  it("refuses a section with no listener, with RoadRunner's message", async () => {
    const err = await startHttp({ http: { address: '' } }).then(() => undefined, (e: unknown) => e) as { errors?: Array<{ message: string }> };
    expect(JSON.stringify(err.errors?.map((e) => e.message))).toContain('unable to run http service, no method has been specified (http, https, http/2 or FastCGI)');
  });

  it.each([
    ['ssl.acme', { ssl: { acme: { email: 'a@b.c', domains: ['x'] } } }, 'ACME'],
    ['http3', { http3: { address: '127.0.0.1:0' } }, 'HTTP/3 is not supported yet'],
  ])('refuses %s clearly (not supported yet)', async (_key, http, text) => {
    const err = await startHttp({ http }).then(() => undefined, (e: unknown) => e) as { errors?: Array<{ message: string }> };
    expect(JSON.stringify(err.errors?.map((e) => e.message))).toContain(text);
  });

  it('reports a port already in use', async () => {
    const a = await startHttp();
    const err = await startHttp({ http: { address: new URL(a.url).host } }).then(() => undefined, (e: unknown) => e) as Error;
    expect(String((err as { cause?: unknown }).cause ?? err.message) + err.message).toMatch(/could not listen|EADDRINUSE/);
  });
});

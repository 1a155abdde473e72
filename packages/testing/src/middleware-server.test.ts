import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Middleware } from '@rr/http-api';
import { rawGet, startMiddlewareServer, type TestServer } from './middleware-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const passThrough: Middleware = (next) => next;

function chunkedPost(port: number, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/c', method: 'POST', agent: false, headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('startMiddlewareServer engines', () => {
  it('node (the default) serves through node:http', async () => {
    const s = await startMiddlewareServer(passThrough);
    servers.push(s);
    expect((await rawGet(s.port, '/a')).body.toString()).toBe('php');
    expect(s.served).toEqual(['node']);
  });

  it('lean serves through the lean lane, and hands what it does not serve to node:http', async () => {
    const s = await startMiddlewareServer(passThrough, undefined, { engine: 'lean' });
    servers.push(s);
    expect((await rawGet(s.port, '/a')).body.toString()).toBe('php');
    expect(await chunkedPost(s.port, 'x')).toBe('php');
    expect(s.served).toEqual(['lean', 'node']);
    expect(s.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /a', 'POST /c']);
  });

  it('a host given as a string still works (the old third parameter)', async () => {
    const s = await startMiddlewareServer(passThrough, undefined, '127.0.0.1');
    servers.push(s);
    expect((await rawGet(s.port, '/')).status).toBe(200);
  });
});

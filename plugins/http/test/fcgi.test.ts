import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, startHttp, type StartOptions } from './helpers.js';
import { FcgiClient, cgiParams, type FcgiResponse } from './fcgi-client.js';

afterEach(cleanup);

interface Echo {
  ctx: { method: string; uri: string; rawQuery: string; remoteAddr: string; protocol: string; headers: Record<string, string[]>; cookies: Record<string, string>; parsed: boolean; body?: unknown };
  body: string | null;
  bodyLen: number;
  bodyMd5: string;
}

/** rr with only a FastCGI listener on a unix socket in the test's temp dir. */
async function startFcgi(o: StartOptions = {}): Promise<{ s: Awaited<ReturnType<typeof startHttp>>; path: string; client: () => Promise<FcgiClient> }> {
  const { tempDir } = await import('./helpers.js');
  const path = join(tempDir('rr-fcgi-'), 'rr.sock');
  const s = await startHttp({ ...o, http: { address: '', fcgi: { address: `unix://${path}` }, ...o.http } });
  const clients: FcgiClient[] = [];
  afterEach(() => clients.forEach((c) => c.close()));
  return { s, path, client: async () => { const c = await FcgiClient.connect({ path }); clients.push(c); return c; } };
}

function json(r: FcgiResponse): Echo {
  return JSON.parse(r.body.toString()) as Echo;
}

describe('fastcgi listener', () => {
  it('GET with a query: method, uri, rawQuery, headers, remote address from REMOTE_ADDR', async () => {
    const { client } = await startFcgi();
    const c = await client();
    const r = await c.request(1, cgiParams('GET', '/echo?a=1&b%5B%5D=2', [
      ['HTTP_HOST', 'example.test:8080'], ['HTTP_X_FOO', 'bar'], ['REMOTE_ADDR', '203.0.113.7'], ['REMOTE_PORT', '4444'],
    ]));
    expect(r.status).toBe(200);
    expect(r.protocolStatus).toBe(0);
    const e = json(r);
    expect(e.ctx.method).toBe('GET');
    expect(e.ctx.uri).toBe('http://example.test:8080/echo?a=1&b%5B%5D=2');
    expect(e.ctx.rawQuery).toBe('a=1&b%5B%5D=2');
    expect(e.ctx.remoteAddr).toBe('203.0.113.7');
    expect(e.ctx.headers['X-Foo']).toEqual(['bar']);
  });
});

import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormData, request } from 'undici';
import { cleanup, startHttp, type Started, type WorkerKind } from './helpers.js';
import { createHash } from 'node:crypto';

interface Echo {
  ctx: {
    remoteAddr: string; protocol: string; method: string; uri: string; headers: Record<string, string[]>;
    cookies: Record<string, string>; rawQuery: string; parsed: boolean; uploads: unknown; attributes: unknown;
  };
  body: string | null;
  bodyLen: number;
  bodyMd5: string;
  files: Record<string, string | null>;
}

async function echo(url: string, opts: Parameters<typeof request>[1] = {}): Promise<{ status: number; echo: Echo }> {
  const r = await request(url, opts);
  const text = await r.body.text();
  if (r.statusCode !== 200) return { status: r.statusCode, echo: { body: text } as Echo };
  return { status: r.statusCode, echo: JSON.parse(text) as Echo };
}

const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

describe.each<WorkerKind>(['raw', 'lib'])('request context (%s worker)', (worker) => {
  let s: Started;
  beforeAll(async () => {
    s = await startHttp({ worker, http: { uploads: { forbid: ['.php'] } } });
  });
  afterAll(cleanup);

  it('sends every field of a GET: canonical repeated headers without Host, cookies, query, absolute uri', async () => {
    const port = new URL(s.url).port;
    const { echo: e } = await echo(`${s.url}/echo?a[]=1&a[]=2&b=x%20y`, {
      headers: [
        'x-custom', 'one', 'X-CUSTOM', 'two', 'DNT', '1', 'www-authenticate', 'w',
        'cookie', 'a=1; b=hello%20world+x; q="quoted"', 'cookie', 'bad name=1; c=%zz; d=4',
      ],
    });
    expect(e.ctx.remoteAddr).toBe('127.0.0.1');
    expect(e.ctx.protocol).toBe('HTTP/1.1');
    expect(e.ctx.method).toBe('GET');
    expect(e.ctx.uri).toBe(`http://127.0.0.1:${port}/echo?a[]=1&a[]=2&b=x%20y`);
    expect(e.ctx.rawQuery).toBe('a[]=1&a[]=2&b=x%20y');
    expect(e.ctx.headers['X-Custom']).toEqual(['one', 'two']);
    expect(e.ctx.headers['Dnt']).toEqual(['1']);
    expect(e.ctx.headers['Www-Authenticate']).toEqual(['w']);
    expect(e.ctx.headers['Cookie']).toEqual(['a=1; b=hello%20world+x; q="quoted"', 'bad name=1; c=%zz; d=4']);
    expect(e.ctx.headers['Host']).toBeUndefined();
    expect(Object.keys(e.ctx.headers).every((k) => k !== k.toLowerCase() || !/[a-z]/.test(k))).toBe(true);
    expect(e.ctx.cookies).toEqual({ a: '1', b: 'hello world x', q: 'quoted', d: '4' });
    expect(e.ctx.parsed).toBe(false);
    expect(e.ctx.uploads).toBeNull();
    expect(e.ctx.attributes).toBeNull();
    expect(e.body).toBe('');
  });

  it('parses an urlencoded POST into the PHP form tree (body fields only)', async () => {
    const { echo: e } = await echo(`${s.url}/form?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&a=2&b[]=x&b[]=y&c[d]=z&e=&u=%C3%A9t%C3%A9+ok',
    });
    expect(e.ctx.parsed).toBe(true);
    expect(e.ctx.rawQuery).toBe('x=1');
    expect(JSON.parse(e.body!)).toEqual({ a: '2', b: ['x', 'y'], c: { d: 'z' }, e: '', u: 'été ok' });
  });

  it('sends {} for a form on a method without form fields, and raw bytes for JSON bodies', async () => {
    const del = await echo(`${s.url}/form`, { method: 'DELETE', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(del.echo.ctx.parsed).toBe(true);
    expect(del.echo.body).toBe('{}');
    const json = await echo(`${s.url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"k":[1,2]}' });
    expect(json.echo.ctx.parsed).toBe(false);
    expect(json.echo.body).toBe('{"k":[1,2]}');
    expect(json.echo.ctx.headers['Content-Type']).toEqual(['application/json']);
  });

  it('answers 400 serve_http for malformed or conflicting form bodies, before any worker', async () => {
    const bad = await request(`${s.url}/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=%zz' });
    expect(bad.statusCode).toBe(400);
    expect(await bad.body.text()).toMatch(/^serve_http: /);
    const conflict = await request(`${s.url}/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&a[b]=2' });
    expect(conflict.statusCode).toBe(400);
    expect(await conflict.body.text()).toContain("invalid multiple values to key 'a' in tree");
  });

  it('stores nested multipart uploads in temp files during the request and removes them after', async () => {
    const fd = new FormData();
    fd.append('user[name]', 'ann');
    fd.append('user[tags][]', 't1');
    fd.append('user[tags][]', 't2');
    fd.append('avatar', new Blob([Buffer.from('PNGDATA')], { type: 'image/png' }), 'a.png');
    fd.append('docs[]', new Blob(['doc one']), 'one.txt');
    fd.append('docs[]', new Blob(['doc two']), 'two.txt');
    fd.append('deep[a][b]', new Blob(['deep']), 'C:\\Users\\x\\deep.bin');
    fd.append('evil', new Blob(['<?php']), 'evil.PHP');
    const { status, echo: e } = await echo(`${s.url}/upload`, { method: 'POST', body: fd });
    expect(status).toBe(200);
    expect(e.ctx.parsed).toBe(true);
    expect(JSON.parse(e.body!)).toEqual({ user: { name: 'ann', tags: ['t1', 't2'] } });
    const up = e.ctx.uploads as Record<string, any>;
    expect(up['avatar']).toMatchObject({ name: 'a.png', mime: 'image/png', size: 7, error: 0 });
    expect(up['avatar'].tmpName).toMatch(/\/upload\d+$/);
    expect(up['docs']).toHaveLength(2);
    expect(up['docs'][1]).toMatchObject({ name: 'two.txt', size: 7, error: 0 });
    expect(up['deep']['a']['b']).toMatchObject({ name: 'C:\\Users\\x\\deep.bin', size: 4, error: 0 });
    expect(up['evil']).toEqual({ name: 'evil.PHP', mime: 'application/octet-stream', size: 0, error: 8, tmpName: '' });
    expect(e.files[up['avatar'].tmpName]).toBe('PNGDATA');
    expect(e.files[up['docs'][0].tmpName]).toBe('doc one');
    for (const path of Object.keys(e.files)) expect(existsSync(path)).toBe(false);
  });

  it('carries large bodies both ways (beyond any pipe buffer)', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 'q');
    big.write('start', 0);
    const { echo: e } = await echo(`${s.url}/echo`, { method: 'PUT', body: big, headers: { 'content-type': 'application/octet-stream' } });
    expect(e.bodyLen).toBe(big.length);
    expect(e.bodyMd5).toBe(md5(big));
    const r = await request(`${s.url}/big/8388608`);
    const buf = Buffer.from(await r.body.arrayBuffer());
    expect(buf.length).toBe(8388608);
    expect(r.headers['content-length']).toBe('8388608');
    expect(buf.subarray(0, 16).toString()).toBe('0123456789abcdef');
  });

  it('does not read the body of HEAD and OPTIONS requests', async () => {
    const r = await request(`${s.url}/echo`, { method: 'OPTIONS', body: 'ignored', headers: { 'content-type': 'text/plain' } });
    const e = JSON.parse(await r.body.text()) as Echo;
    expect(e.ctx.method).toBe('OPTIONS');
    expect(e.body).toBe('');
    const h = await request(`${s.url}/hello`, { method: 'HEAD' });
    expect(h.statusCode).toBe(200);
    expect(await h.body.text()).toBe('');
  });
});

import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { cleanup, startHttp, tempDir, type Started, type WorkerKind } from './helpers.js';

/** A raw node:http GET that reports 1xx responses, trailers and each body chunk as they come. */
function get(url: string, opts: { abortAfterChunks?: number } = {}): Promise<{
  status: number; headers: Record<string, string | string[] | undefined>; body: string; chunks: string[];
  informational: Array<{ status: number; headers: Record<string, unknown> }>; trailers: Record<string, string | undefined>; aborted: boolean;
}> {
  return new Promise((resolve, reject) => {
    const informational: Array<{ status: number; headers: Record<string, unknown> }> = [];
    const req = httpRequest(url, (res) => {
      const chunks: string[] = [];
      res.on('data', (c: Buffer) => {
        chunks.push(c.toString());
        if (opts.abortAfterChunks !== undefined && chunks.length >= opts.abortAfterChunks) {
          req.destroy();
          resolve({ status: res.statusCode!, headers: res.headers, body: chunks.join(''), chunks, informational, trailers: {}, aborted: true });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: chunks.join(''), chunks, informational, trailers: res.trailers, aborted: false }));
      res.on('error', () => undefined);
    });
    req.on('information', (info) => informational.push({ status: info.statusCode, headers: info.headers }));
    req.on('error', (err) => { if (opts.abortAfterChunks === undefined) reject(err); });
    req.end();
  });
}

describe.each<WorkerKind>(['raw', 'lib'])('responses (%s worker)', (worker) => {
  let s: Started;
  beforeAll(async () => {
    s = await startHttp({ worker });
  });
  afterAll(cleanup);

  it('writes status and repeated headers, canonicalising names', async () => {
    const r = await get(`${s.url}/headers`);
    expect(r.status).toBe(200);
    expect(r.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(r.headers['x-lower-case']).toBe('v1, v2');
    expect(r.headers['content-length']).toBe('1');
    expect(r.body).toBe('h');
  });

  it('sniffs a Content-Type when the worker sets none', async () => {
    const r = await request(`${s.url}/nocontenttype`);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    await r.body.text();
  });

  it('passes statuses through; 204 has no body', async () => {
    const r404 = await request(`${s.url}/status/404`);
    expect(r404.statusCode).toBe(404);
    expect(r404.headers['x-status']).toBe('404');
    await r404.body.text();
    const r204 = await request(`${s.url}/status/204`);
    expect(r204.statusCode).toBe(204);
    expect(await r204.body.text()).toBe('');
  });

  it('answers 500 "unknown status code from worker" for a status outside 100-599', async () => {
    const r = await request(`${s.url}/badstatus`);
    expect(r.statusCode).toBe(500);
    expect(await r.body.text()).toContain('unknown status code from worker: 700');
  });

  it('sends headers named in Trailer as HTTP trailers', async () => {
    const r = await get(`${s.url}/trailer`);
    expect(r.body).toBe('with trailer');
    expect(r.headers['trailer']).toBe('X-Checksum');
    expect(r.headers['x-checksum']).toBeUndefined();
    expect(r.trailers['x-checksum']).toBe('abc123');
  });

  it('decodes protobuf response contexts (flag 0x80) and JSON ones', async () => {
    const r = await request(`${s.url}/proto`);
    expect(r.statusCode).toBe(201);
    expect(r.headers['x-proto']).toEqual(['yes', 'twice']);
    expect(await r.body.text()).toBe('proto body');
  });

  it('streams chunks as they come (chunked), keeping the first status and headers', async () => {
    const r = await get(`${s.url}/stream/12`);
    expect(r.status).toBe(200);
    expect(r.headers['x-stream']).toBe('yes');
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.body).toBe(Array.from({ length: 12 }, (_, i) => `chunk${i + 1};`).join(''));
    expect(r.chunks.length).toBeGreaterThan(1);
  });

  it('sends 103 Early Hints before the final response without leaking its headers', async () => {
    const r = await get(`${s.url}/early`);
    expect(r.informational).toEqual([{ status: 103, headers: expect.objectContaining({ link: '</style.css>; rel=preload; as=style' }) }]);
    expect(r.status).toBe(200);
    expect(r.headers['link']).toBeUndefined();
    expect(r.body).toBe('after hints');
  });

  it('ignores a 101 frame (upgrades do not go through workers)', async () => {
    const r = await get(`${s.url}/upgrade`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('not upgraded');
    await s.waitForRecord((x) => x.logger === 'http' && x.level === 'warn' && x.fields['status'] === 101);
  });
});

describe.each<WorkerKind>(['raw', 'lib'])('client disconnect mid-stream (%s worker)', (worker) => {
  afterAll(cleanup);
  it('stops the worker stream (STOP) and the worker serves on', async () => {
    // One worker: the next request can only run once the stopped stream has ended.
    const s = await startHttp({ worker, http: { pool: { num_workers: 1 } } });
    const flag = join(tempDir(), 'stopped');
    const r = await get(`${s.url}/streamforever?${flag}`, { abortAfterChunks: 3 });
    expect(r.aborted).toBe(true);
    const again = await request(`${s.url}/hello`);
    expect(await again.body.text()).toBe('Hello, world!');
    expect(readFileSync(flag, 'utf8')).toMatch(/^stopped after \d+/);
  });
});

describe('responses (raw wire only)', () => {
  afterAll(cleanup);
  it('writes the body of a frame with an empty context as an implicit 200', async () => {
    const s = await startHttp({ worker: 'raw' });
    const r = await request(`${s.url}/emptyctx`);
    expect(r.statusCode).toBe(200);
    expect(await r.body.text()).toBe('no context here');
  });
});

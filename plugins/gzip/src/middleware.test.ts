import { request } from 'node:http';
import { createGunzip, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpHandler } from '@rr/http-api';
import { gzipMiddleware } from './middleware.js';
import { acceptsGzip } from './negotiate.js';
import { rawGet, startMiddlewareServer, type TestServer } from '@rr/testing';

const BIG = 'hello gzip '.repeat(400);
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(final: HttpHandler): Promise<TestServer> {
  const s = await startMiddlewareServer(gzipMiddleware(), final);
  servers.push(s);
  return s;
}

const text = (body: string, headers: Record<string, string> = {}, status = 200): HttpHandler => async (_req, res) => {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(body);
};

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true], ['deflate, gzip;q=0.5', true], ['GZIP', true], ['x-gzip', true], ['*', true], ['br;q=1, *;q=0.1', true],
    ['gzip;q=0', false], ['gzip;q=0, *', false], ['identity', false], ['', false], ['*;q=0', false], ['br', false],
  ])('%j -> %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
  it('no header -> false', () => expect(acceptsGzip(undefined)).toBe(false));
});

describe('gzip middleware', () => {
  it('compresses when accepted, drops Content-Length and marks the ETag weak', async () => {
    const s = await serve(text(BIG, { ETag: '"abc"', 'Content-Length': String(BIG.length) }));
    const r = await rawGet(s.port, '/', { 'Accept-Encoding': 'gzip, deflate' });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['vary']).toBe('Accept-Encoding');
    expect(r.headers['content-length']).toBeUndefined();
    expect(r.headers['etag']).toBe('W/"abc"');
    expect(gunzipSync(r.body).toString()).toBe(BIG);
    expect(r.body.length).toBeLessThan(BIG.length / 4);
  });

  it('sends identity without Accept-Encoding, with q=0, for tiny bodies and HEAD, still with Vary', async () => {
    const s = await serve(text(BIG));
    for (const headers of [{}, { 'Accept-Encoding': 'gzip;q=0' }, { 'Accept-Encoding': 'br' }]) {
      const r = await rawGet(s.port, '/', headers);
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.headers['vary']).toBe('Accept-Encoding');
      expect(r.body.toString()).toBe(BIG);
    }
    const head = await rawGet(s.port, '/', { 'Accept-Encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).toBeUndefined();
    const tiny = await serve(text('short'));
    const t = await rawGet(tiny.port, '/', { 'Accept-Encoding': 'gzip' });
    expect(t.headers['content-encoding']).toBeUndefined();
    expect(t.body.toString()).toBe('short');
  });

  it('leaves already-encoded, precompressed-type, no-transform, 204 and 304 responses alone', async () => {
    const cases: Array<[HttpHandler, string]> = [
      [text(BIG, { 'Content-Encoding': 'br' }), 'br'],
      [text(BIG, { 'Content-Type': 'image/png' }), 'image'],
      [text(BIG, { 'Cache-Control': 'public, no-transform' }), 'no-transform'],
    ];
    for (const [handler, label] of cases) {
      const s = await serve(handler);
      const r = await rawGet(s.port, '/', { 'Accept-Encoding': 'gzip' });
      expect(r.headers['content-encoding'], label).toBe(label === 'br' ? 'br' : undefined);
      expect(r.body.toString(), label).toBe(BIG);
    }
    for (const status of [204, 304]) {
      const s = await serve(async (_req, res) => {
        res.statusCode = status;
        res.end();
      });
      const r = await rawGet(s.port, '/', { 'Accept-Encoding': 'gzip' });
      expect(r.status).toBe(status);
      expect(r.headers['content-encoding']).toBeUndefined();
    }
  });

  it('decides on writeHead(status, headers) too', async () => {
    const s = await serve(async (_req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': String(BIG.length) });
      res.end(BIG);
    });
    const r = await rawGet(s.port, '/', { 'Accept-Encoding': 'gzip' });
    expect(r.status).toBe(201);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(r.body).toString()).toBe(BIG);
  });

  it('streams: each write reaches the client decompressed before the next one is produced', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const s = await serve(async (_req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      res.write('data: first\n\n');
      await gate;
      res.end('data: second\n\n');
    });
    const received = await new Promise<string[]>((resolve, reject) => {
      const chunks: string[] = [];
      const req = request({ host: '127.0.0.1', port: s.port, path: '/', headers: { 'Accept-Encoding': 'gzip' }, agent: false }, (res) => {
        expect(res.headers['content-encoding']).toBe('gzip');
        const gunzip = res.pipe(createGunzip());
        gunzip.on('data', (c: Buffer) => {
          chunks.push(c.toString());
          // Only the first event exists so far; the handler is blocked until we release it.
          if (chunks.join('') === 'data: first\n\n') release();
        });
        gunzip.on('end', () => resolve(chunks));
        gunzip.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    expect(received.join('')).toBe('data: first\n\ndata: second\n\n');
    expect(received[0]).toBe('data: first\n\n');
  });

  it('honours backpressure: a handler awaiting drain gets it, and 8 MB of writes arrive intact', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'abcdefghij');
    const s = await serve(async (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      for (let i = 0; i < 128; i++) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    });
    const r = await rawGet(s.port, '/', { 'Accept-Encoding': 'gzip' });
    expect(r.headers['content-encoding']).toBe('gzip');
    const plain = gunzipSync(r.body);
    expect(plain.length).toBe(128 * chunk.length);
    expect(plain.subarray(0, 20).toString()).toBe('abcdefghijabcdefghij');
  });
});

describe('gzip middleware over HTTP/2 (h2c compat request/response)', () => {
  it('compresses with writeHead and with write/end', async () => {
    const { createServer, connect } = await import('node:http2');
    const handler = gzipMiddleware()(async (req, res) => {
      if (req.url === '/head') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(BIG);
      } else {
        res.setHeader('Content-Type', 'text/plain');
        res.write(BIG.slice(0, 100));
        res.end(BIG.slice(100));
      }
    });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    const get = (path: string): Promise<{ encoding: unknown; body: Buffer }> => new Promise((resolve, reject) => {
      const stream = client.request({ ':path': path, 'accept-encoding': 'gzip' });
      let encoding: unknown;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => { encoding = h['content-encoding']; });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ encoding, body: Buffer.concat(chunks) }));
      stream.on('error', reject);
      stream.end();
    });
    try {
      for (const path of ['/head', '/stream']) {
        const r = await get(path);
        expect(r.encoding, path).toBe('gzip');
        expect(gunzipSync(r.body).toString(), path).toBe(BIG);
      }
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

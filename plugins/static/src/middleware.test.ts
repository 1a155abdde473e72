import { createHash, randomBytes } from 'node:crypto';
import fs, { mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Middleware } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import { compileStaticConfig } from './config.js';
import { staticMiddleware } from './middleware.js';
import { openFilesUnder, openRawGet, rawGet, startMiddlewareServer, untilTrue, type MiddlewareEngine, type TestServer } from '@rr/testing';

const CSS = 'body { color: red }\n';
const SECRET = 'TOP-SECRET-OUTSIDE-ROOT';
// Several MiB: more than the socket takes at once, so piping the file meets back-pressure.
const BIG = randomBytes(6 * 1024 * 1024 + 123);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const quiet: Logger = { name: 'static', debug() {}, info() {}, warn() {}, error() {}, isEnabled: () => false };

let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'rr-static-'));
  root = join(base, 'public');
  mkdirSync(join(root, 'dir.d'), { recursive: true });
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, '.well-known'));
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'secret.txt'), SECRET);
  writeFileSync(join(base, 'public-sibling.txt'), SECRET);
  writeFileSync(join(root, 'app.css'), CSS);
  writeFileSync(join(root, 'data.bin'), Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'big.bin'), BIG);
  writeFileSync(join(root, 'index.php'), '<?php echo "source";');
  writeFileSync(join(root, '.env'), `APP_KEY=${SECRET}`);
  writeFileSync(join(root, '.secret.txt'), SECRET);
  writeFileSync(join(root, '.git', 'HEAD.txt'), SECRET);
  writeFileSync(join(root, '.well-known', 'security.txt'), 'Contact: mailto:sec@example.com\n');
  symlinkSync(join(base, 'outside', 'secret.txt'), join(root, 'link-out.txt'));
  symlinkSync(join(base, 'outside'), join(root, 'linkdir'));
  symlinkSync(join(root, 'app.css'), join(root, 'link-in.css'));
  symlinkSync(join(root, '.secret.txt'), join(root, 'link-hidden.txt'));
  utimesSync(join(root, 'app.css'), new Date('2024-01-02T03:04:05Z'), new Date('2024-01-02T03:04:05Z'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const realClose = fs.close.bind(fs);

/** Requests `path`, reads the first body bytes, then resets the connection. */
function abandonMidBody(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = openRawGet(port, path);
    socket.once('data', () => {
      socket.once('close', () => resolve());
      socket.resetAndDestroy();
    });
    socket.once('error', reject);
  });
}

/** Waits for the server to reach a state by itself; on timeout the error lists what is still open. */
function until(check: () => boolean): Promise<void> {
  return untilTrue(check, () => `files still open: ${openFilesUnder(root).join(', ') || 'none'}`);
}

async function withServer(engine: MiddlewareEngine, options: Record<string, unknown>, run: (s: TestServer) => Promise<void>): Promise<void> {
  const config = compileStaticConfig({ dir: 'public', ...options }, { workDir: base });
  const server = await startMiddlewareServer(staticMiddleware(config, quiet), undefined, { engine });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

// The plugin declares `lean: true`: every case runs behind node:http and behind the lean lane.
describe.each(['node', 'lean'] as const)('on %s', (engine) => {
  describe('static middleware: serving', () => {
    it('serves a file with its type, length and Last-Modified, without calling PHP', async () => {
      await withServer(engine, { response: { 'Cache-Control': 'max-age=60' } }, async (s) => {
        const r = await rawGet(s.port, '/app.css?v=1');
        expect(r.status).toBe(200);
        expect(r.body.toString()).toBe(CSS);
        expect(r.headers['content-type']).toBe('text/css; charset=utf-8');
        expect(r.headers['content-length']).toBe(String(CSS.length));
        expect(r.headers['last-modified']).toBe('Tue, 02 Jan 2024 03:04:05 GMT');
        expect(r.headers['cache-control']).toBe('max-age=60');
        expect(r.headers['etag']).toBeUndefined();
        const bin = await rawGet(s.port, '/data.bin');
        expect(bin.headers['content-type']).toBe('application/octet-stream');
        expect([...bin.body]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        const empty = await rawGet(s.port, '/empty.txt');
        expect(empty.status).toBe(200);
        expect(empty.body.length).toBe(0);
        expect(s.calls).toEqual([]);
      });
    });

    it('HEAD sends the headers and no body; other methods go to PHP', async () => {
      await withServer(engine, {}, async (s) => {
        const head = await rawGet(s.port, '/app.css', {}, 'HEAD');
        expect(head.status).toBe(200);
        expect(head.headers['content-length']).toBe(String(CSS.length));
        expect(head.body.length).toBe(0);
        expect(s.calls).toEqual([]);
        const post = await rawGet(s.port, '/app.css', {}, 'POST');
        expect(post.body.toString()).toBe('php');
        expect(s.calls.map((c) => c.method)).toEqual(['POST']);
      });
    });

    it('passes missing files, directories and extension-less routes to PHP; response headers only on files', async () => {
      await withServer(engine, { response: { 'X-Static': '1' } }, async (s) => {
        for (const path of ['/missing.css', '/dir.d', '/users/42', '/']) {
          const r = await rawGet(s.port, path);
          expect(r.body.toString(), path).toBe('php');
          expect(r.headers['x-static'], path).toBeUndefined();
        }
        expect(s.calls.map((c) => c.url)).toEqual(['/missing.css', '/dir.d', '/users/42', '/']);
      });
    });

    it('forbid and allow lists send other extensions to PHP (forbid wins)', async () => {
      await withServer(engine, { forbid: ['.php', '.bin'], allow: ['.css', 'BIN'] }, async (s) => {
        expect((await rawGet(s.port, '/index.php')).body.toString()).toBe('php');
        expect((await rawGet(s.port, '/data.bin')).body.toString()).toBe('php');
        expect((await rawGet(s.port, '/empty.txt')).body.toString()).toBe('php');
        expect((await rawGet(s.port, '/app.css')).body.toString()).toBe(CSS);
        expect(s.calls.map((c) => c.url)).toEqual(['/index.php', '/data.bin', '/empty.txt']);
      });
    });

    it('streams a multi-MiB file intact, whole and as a range', async () => {
      await withServer(engine, {}, async (s) => {
        const whole = await rawGet(s.port, '/big.bin');
        expect(whole.headers['content-length']).toBe(String(BIG.length));
        expect(sha(whole.body)).toBe(sha(BIG));
        const part = await rawGet(s.port, '/big.bin', { Range: 'bytes=1000000-4999999' });
        expect(part.status).toBe(206);
        expect(sha(part.body)).toBe(sha(BIG.subarray(1_000_000, 5_000_000)));
        expect(s.calls).toEqual([]);
      });
    });

    it('answers single byte ranges with 206 and unsatisfiable ones with 416', async () => {
      await withServer(engine, {}, async (s) => {
        const r = await rawGet(s.port, '/data.bin', { Range: 'bytes=2-4' });
        expect(r.status).toBe(206);
        expect(r.headers['content-range']).toBe('bytes 2-4/10');
        expect([...r.body]).toEqual([2, 3, 4]);
        const suffix = await rawGet(s.port, '/data.bin', { Range: 'bytes=-3' });
        expect([...suffix.body]).toEqual([7, 8, 9]);
        const bad = await rawGet(s.port, '/data.bin', { Range: 'bytes=50-' });
        expect(bad.status).toBe(416);
        expect(bad.headers['content-range']).toBe('bytes */10');
        const stale = await rawGet(s.port, '/data.bin', { Range: 'bytes=2-4', 'If-Range': 'Mon, 01 Jan 2001 00:00:00 GMT' });
        expect(stale.status).toBe(200);
        expect(stale.body.length).toBe(10);
      });
    });
  });

  describe('static middleware: validators', () => {
    it('strong ETag is "<size>-<crc32>", 304 on If-None-Match (weak comparison), and changes with the content', async () => {
      await withServer(engine, { calculate_etag: true }, async (s) => {
        const first = await rawGet(s.port, '/data.bin');
        const etag = first.headers['etag']!;
        expect(etag).toMatch(/^"10-\d+"$/);
        const again = await rawGet(s.port, '/data.bin', { 'If-None-Match': `"other", ${etag}` });
        expect(again.status).toBe(304);
        expect(again.body.length).toBe(0);
        expect((await rawGet(s.port, '/data.bin', { 'If-None-Match': `W/${etag}` })).status).toBe(304);
        expect((await rawGet(s.port, '/data.bin', { 'If-None-Match': '"nope"' })).status).toBe(200);
        writeFileSync(join(root, 'changing.txt'), 'one');
        const a = (await rawGet(s.port, '/changing.txt')).headers['etag'];
        writeFileSync(join(root, 'changing.txt'), 'two');
        const b = (await rawGet(s.port, '/changing.txt')).headers['etag'];
        expect(a).toMatch(/^"3-\d+"$/);
        expect(b).not.toBe(a);
      });
    });

    it('weak ETag is W/"<size>-<mtime>" from metadata', async () => {
      await withServer(engine, { calculate_etag: true, weak: true }, async (s) => {
        const r = await rawGet(s.port, '/app.css');
        expect(r.headers['etag']).toBe(`W/"${CSS.length}-1704164645.0"`);
        expect((await rawGet(s.port, '/app.css', { 'If-None-Match': r.headers['etag']! })).status).toBe(304);
      });
    });

    it('If-Modified-Since gives 304 when the file is not newer, 200 otherwise', async () => {
      await withServer(engine, {}, async (s) => {
        expect((await rawGet(s.port, '/app.css', { 'If-Modified-Since': 'Tue, 02 Jan 2024 03:04:05 GMT' })).status).toBe(304);
        expect((await rawGet(s.port, '/app.css', { 'If-Modified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' })).status).toBe(200);
        expect((await rawGet(s.port, '/app.css', { 'If-Modified-Since': 'garbage' })).status).toBe(200);
      });
    });
  });

  describe('static middleware: never serves outside the root', () => {
    it.each([
      '/../outside/secret.txt',
      '/../public-sibling.txt',
      '/%2e%2e/outside/secret.txt',
      '/%2E%2E%2Foutside%2Fsecret.txt',
      '/dir.d/..%2f..%2foutside/secret.txt',
      '/..\\outside\\secret.txt',
    ])('%s -> 403 without reaching PHP', async (path) => {
      await withServer(engine, {}, async (s) => {
        const r = await rawGet(s.port, path);
        expect(r.status).toBe(403);
        expect(r.body.toString()).not.toContain(SECRET);
        expect(s.calls).toEqual([]);
      });
    });

    it.each([
      '/%252e%252e/outside/secret.txt',
      '/%252e%252e%252foutside%252fsecret.txt',
      '/dir.d%5csecret.txt',
      '/secret.txt%00.css',
      '/link-out.txt',
      '/linkdir/secret.txt',
      '/link-hidden.txt',
      '/.secret.txt',
      '/.env',
      '/.git/HEAD.txt',
      '/dir.d/.hidden.css',
    ])('%s is not served (goes to PHP)', async (path) => {
      await withServer(engine, {}, async (s) => {
        const r = await rawGet(s.port, path);
        expect(r.body.toString()).toBe('php');
        expect(s.calls.map((c) => c.url)).toEqual([path]);
      });
    });

    // Found by a stress run: the file stream's destroy() closed the descriptor and handle.close()
    // closed the same number again, by then another socket's (vitest's IPC channel once). The
    // FileHandle must be the only thing that closes a served file.
    it('closes a served file only through its FileHandle (no second close of a reused descriptor)', async () => {
      const closedFiles: string[] = [];
      const close = vi.spyOn(fs, 'close').mockImplementation(((fd: number, cb?: (err: Error | null) => void) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          if (target.startsWith(root)) closedFiles.push(target);
        } catch { /* not open: nothing to record */ }
        realClose(fd, cb ?? (() => undefined));
      }) as typeof fs.close);
      try {
        await withServer(engine, { calculate_etag: true }, async (s) => {
          expect((await rawGet(s.port, '/app.css')).body.toString()).toBe(CSS);
          expect((await rawGet(s.port, '/data.bin', { Range: 'bytes=2-4' })).status).toBe(206);
          expect((await rawGet(s.port, '/app.css', {}, 'HEAD')).status).toBe(200);
          expect(sha((await rawGet(s.port, '/big.bin')).body)).toBe(sha(BIG));
          // A client that leaves in the middle of a big file: the stream is destroyed mid-read.
          await abandonMidBody(s.port, '/big.bin');
          // Every served file is closed again (and, with the spy still on, through its handle).
          await until(() => openFilesUnder(root).length === 0);
        });
      } finally {
        close.mockRestore();
      }
      expect(closedFiles).toEqual([]);
    });

    // Found when `rr serve` took its whole grace period to stop after a wrk run against a file:
    // a client gone during realpath/open left the pipe waiting for a 'drain' that never came, the
    // handler unfinished (drain waits for it) and the file open.
    it('finishes and closes the file when the client left before the file was opened', async () => {
      const inner = staticMiddleware(compileStaticConfig({ dir: 'public' }, { workDir: base }), quiet);
      let started = 0;
      let settled = 0;
      // Runs the static handler only once the client is gone, as if it left during realpath/open.
      const late: Middleware = (next) => {
        const handler = inner(next);
        return async (req, res) => {
          started++;
          await new Promise((resolve) => res.once('close', resolve));
          await handler(req, res);
          settled++;
        };
      };
      const s = await startMiddlewareServer(late, undefined, { engine });
      try {
        const socket = openRawGet(s.port, '/big.bin');
        socket.on('error', () => undefined);
        await until(() => started === 1);
        socket.destroy();
        await until(() => settled === 1 && openFilesUnder(root).length === 0);
        expect(s.calls).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('serves symlinks that stay inside the root, and /.well-known/', async () => {
      await withServer(engine, {}, async (s) => {
        expect((await rawGet(s.port, '/link-in.css')).body.toString()).toBe(CSS);
        expect((await rawGet(s.port, '/.well-known/security.txt')).body.toString()).toContain('Contact:');
        expect(s.calls).toEqual([]);
      });
    });
  });
});

describe('static middleware over HTTP/2 (h2c compat request/response)', () => {
  it('serves a file and passes other paths on', async () => {
    const { createServer, connect } = await import('node:http2');
    const config = compileStaticConfig({ dir: 'public', calculate_etag: true }, { workDir: base });
    const handler = staticMiddleware(config, quiet)(async (_req, res) => {
      res.end('php');
    });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    const get = (path: string): Promise<{ status: number; etag: unknown; body: string }> => new Promise((resolve, reject) => {
      const stream = client.request({ ':path': path });
      let status = 0;
      let etag: unknown;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => { status = Number(h[':status']); etag = h['etag']; });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, etag, body: Buffer.concat(chunks).toString() }));
      stream.on('error', reject);
      stream.end();
    });
    try {
      const css = await get('/app.css');
      expect(css).toMatchObject({ status: 200, body: CSS });
      expect(css.etag).toMatch(/^"\d+-\d+"$/);
      expect((await get('/missing.css')).body).toBe('php');
      expect((await get('/%2e%2e/outside/secret.txt')).status).toBe(403);
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('finishes and closes the file when the stream was reset before the file was opened', async () => {
    const { createServer, connect } = await import('node:http2');
    const inner = staticMiddleware(compileStaticConfig({ dir: 'public' }, { workDir: base }), quiet)(async (_req, res) => {
      res.end('php');
    });
    let started = 0;
    let settled = 0;
    // As in the HTTP/1 case: the static handler runs only once the stream is closed.
    const server = createServer((req, res) => {
      started++;
      res.once('close', () => void inner(req, res).then(() => settled++));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    try {
      const stream = client.request({ ':path': '/big.bin' });
      stream.on('error', () => undefined);
      await until(() => started === 1);
      stream.close();
      await until(() => settled === 1 && openFilesUnder(root).length === 0);
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

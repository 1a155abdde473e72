import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import { sendfileMiddleware } from './middleware.js';
import { openFilesUnder, openRawGet, rawGet, startMiddlewareServer, untilTrue, type TestServer } from '@rr/testing';

const warnings: Array<Record<string, unknown> | undefined> = [];
const logger: Logger = { name: 'sendfile', debug() {}, info() {}, warn: (_m, f) => void warnings.push(f), error() {}, isEnabled: () => true };
let dir: string;
const BIG = Buffer.alloc(3 * 1024 * 1024 + 17, 'xyz');
const servers: TestServer[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rr-sendfile-'));
  mkdirSync(join(dir, 'files'));
  writeFileSync(join(dir, 'files', 'report.csv'), 'a,b\n1,2\n');
  writeFileSync(join(dir, 'files', 'big.bin'), BIG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A stand-in for PHP answering with X-Sendfile and a body that must be discarded. */
const php = (path: string, extra: Record<string, string> = {}, status = 200): HttpHandler => async (_req, res) => {
  res.statusCode = status;
  res.setHeader('X-Sendfile', path);
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.write('php body ');
  res.end('to discard');
};

async function serve(final: HttpHandler): Promise<TestServer> {
  const s = await startMiddlewareServer(sendfileMiddleware(dir, logger), final);
  servers.push(s);
  return s;
}

describe('sendfile middleware', () => {
  it('streams the named file instead of PHP\'s body, removing the header and keeping PHP\'s others', async () => {
    const s = await serve(php(join(dir, 'files', 'report.csv'), { 'Content-Disposition': 'attachment; filename="r.csv"' }));
    const r = await rawGet(s.port, '/download');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('a,b\n1,2\n');
    expect(r.headers['x-sendfile']).toBeUndefined();
    expect(r.headers['content-length']).toBe('8');
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['content-disposition']).toBe('attachment; filename="r.csv"');
    expect(r.headers['last-modified']).toBeDefined();
  });

  it('works with writeHead(status, headers), keeps PHP\'s Content-Type, and resolves relative paths against the config dir', async () => {
    const s = await serve(async (_req, res) => {
      res.writeHead(200, { 'X-Sendfile': 'files/report.csv', 'Content-Type': 'text/csv', 'Content-Length': '3' });
      res.end('abc');
    });
    const r = await rawGet(s.port, '/');
    expect(r.body.toString()).toBe('a,b\n1,2\n');
    expect(r.headers['content-type']).toBe('text/csv');
    expect(r.headers['content-length']).toBe('8');
  });

  it('streams large files intact, and sends only headers for HEAD', async () => {
    const s = await serve(php(join(dir, 'files', 'big.bin')));
    const r = await rawGet(s.port, '/');
    expect(r.body.length).toBe(BIG.length);
    expect(r.body.equals(BIG)).toBe(true);
    const head = await rawGet(s.port, '/', {}, 'HEAD');
    expect(head.headers['content-length']).toBe(String(BIG.length));
    expect(head.body.length).toBe(0);
  });

  it.each([
    [`${'/tmp'}/../etc/passwd`, 403],
    ['files/../files/report.csv', 403],
    ['files/missing.csv', 404],
    ['files', 404],
    ['/proc/self/environ', 404],
    ['/dev/null', 404],
  ])('refuses %s with %i and logs a warning', async (path, status) => {
    warnings.length = 0;
    const s = await serve(php(path));
    const r = await rawGet(s.port, '/');
    expect(r.status).toBe(status);
    expect(r.body.toString()).not.toContain('php body');
    expect(r.body.toString()).not.toContain('RR_');
    expect(warnings).toEqual([expect.objectContaining({ path })]);
  });

  // The handler must end (the http plugin's drain waits for it) and the file must be closed even
  // when the client left before the file was opened: the bare pipe waited for a 'drain' forever.
  it('finishes and closes the file when the client left before PHP answered', async () => {
    let started = 0;
    let settled = 0;
    const handler = sendfileMiddleware(dir, logger)(async (_req, res) => {
      started++;
      await new Promise((resolve) => res.once('close', resolve));
      res.setHeader('X-Sendfile', join(dir, 'files', 'big.bin'));
      res.end();
    });
    const s = await startMiddlewareServer(() => async (req, res) => {
      await handler(req, res);
      settled++;
    });
    servers.push(s);
    const socket = openRawGet(s.port, '/');
    socket.on('error', () => undefined);
    const state = (): string => `started ${started}, settled ${settled}, open: ${openFilesUnder(dir).join(', ') || 'nothing'}`;
    await untilTrue(() => started === 1, state);
    socket.destroy();
    await untilTrue(() => settled === 1 && openFilesUnder(dir).length === 0, state);
  });

  it('passes responses without X-Sendfile through untouched, streaming included', async () => {
    const s = await serve(async (_req, res) => {
      res.writeHead(201, { 'Content-Type': 'text/plain' });
      res.write('one ');
      res.end('two');
    });
    const r = await rawGet(s.port, '/');
    expect(r.status).toBe(201);
    expect(r.body.toString()).toBe('one two');
  });
});

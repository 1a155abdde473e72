// The HTTP middleware plugins in the real rr binary (packages/cli/dist: run `pnpm build` first) in
// front of real PHP workers: static, headers (CORS), gzip, sendfile and proxy_ip_parser together.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllRr, repoRoot, startRr, tempDir, type RrProcess } from '../helpers/rr-process.js';

const worker = join(repoRoot, 'test/fixtures/middleware/worker.php');
let rr: RrProcess;
let port: number;
let cleanup: () => void;
let dir: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address() as { port: number };
      srv.close(() => resolve(p));
    });
  });
}

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** Raw request: the path is sent exactly as written (no `..` normalisation). */
function send(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  port = await freePort();
  const t = tempDir();
  cleanup = t.cleanup;
  dir = t.dir;
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'public', 'app.css'), 'body{}\n');
  writeFileSync(join(dir, 'public', 'index.php'), '<?php // source must not leak');
  writeFileSync(join(dir, 'public', '.env'), 'SECRET=1');
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  writeFileSync(join(dir, 'export.csv'), 'id,name\n1,rr\n');
  writeFileSync(join(dir, '.rr.yaml'), [
    'version: "3"',
    'server:',
    `  command: "php ${worker}"`,
    'http:',
    `  address: 127.0.0.1:${port}`,
    '  middleware: [proxy_ip_parser, sendfile, static, headers, gzip]',
    '  trusted_subnets: ["127.0.0.0/8"]',
    '  pool: { num_workers: 1 }',
    '  static:',
    '    dir: public',
    '    forbid: [".php"]',
    '    calculate_etag: true',
    '  headers:',
    '    request: { X-From-Headers: "yes" }',
    '    response: { X-Powered-By: "rr" }',
    '    cors:',
    '      allowed_origin: "https://app.example, https://other.example"',
    '      allowed_methods: "GET, PUT"',
    '      options_success_status: 204',
    'logs: { mode: production, level: info }',
  ].join('\n'));
  rr = startRr(['serve', '-c', join(dir, '.rr.yaml')]);
  await rr.waitFor(/RoadRunner server started|http server was started/);
}, 30_000);

afterAll(() => {
  killAllRr();
  cleanup?.();
});

describe('http middleware in rr serve', () => {
  it('static serves files itself (no http log line), with ETag and 304; PHP gets the rest', async () => {
    const css = await send('/app.css');
    expect(css.status).toBe(200);
    expect(css.body.toString()).toBe('body{}\n');
    expect(css.headers['etag']).toMatch(/^"7-\d+"$/);
    expect(css.headers['x-powered-by']).toBe('rr');
    expect((await send('/app.css', { 'If-None-Match': String(css.headers['etag']) })).status).toBe(304);
    const php = await send('/index.php');
    expect(JSON.parse(php.body.toString())).toMatchObject({ php: true, path: '/index.php', xFromHeaders: 'yes' });
    await rr.waitFor(/"msg":"http log".*"URI":"\/index.php"|http log.*index\.php/);
    expect(`${rr.stdout()}${rr.stderr()}`).not.toMatch(/http log[^\n]*app\.css/);
  });

  it('static refuses traversal and never serves dotfiles or files outside the root', async () => {
    expect((await send('/../secret.txt')).status).toBe(403);
    expect((await send('/%2e%2e/secret.txt')).status).toBe(403);
    const dot = await send('/.env');
    expect(dot.body.toString()).not.toContain('SECRET');
    expect(JSON.parse(dot.body.toString())).toMatchObject({ php: true, path: '/.env' });
  });

  it('headers answers CORS preflights itself and decorates PHP responses', async () => {
    const pre = await send('/api', { Origin: 'https://other.example', 'Access-Control-Request-Method': 'PUT' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://other.example');
    expect(pre.headers['access-control-allow-methods']).toBe('PUT');
    expect(pre.body.length).toBe(0);
    const simple = await send('/api', { Origin: 'https://app.example' });
    expect(simple.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(JSON.parse(simple.body.toString())).toMatchObject({ php: true, path: '/api' });
  });

  it('gzip compresses large PHP responses for clients that accept it', async () => {
    const plain = await send('/big');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await send('/big', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['vary']).toContain('Accept-Encoding');
    expect(gunzipSync(gz.body).toString()).toBe(plain.body.toString());
  });

  it('sendfile streams the file PHP names in X-Sendfile', async () => {
    const r = await send(`/sendfile?file=${encodeURIComponent(join(dir, 'export.csv'))}`);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('id,name\n1,rr\n');
    expect(r.headers['x-sendfile']).toBeUndefined();
    expect(r.headers['content-type']).toBe('text/csv');
    expect((await send('/sendfile?file=/etc/../etc/passwd')).status).toBe(403);
  });

  it('proxy_ip_parser gives PHP the forwarded client address from a trusted peer', async () => {
    const r = await send('/whoami', { 'X-Forwarded-For': '203.0.113.9, 127.0.0.1' });
    expect(JSON.parse(r.body.toString())).toMatchObject({ remoteAddr: '203.0.113.9' });
    const direct = await send('/whoami');
    expect(JSON.parse(direct.body.toString())).toMatchObject({ remoteAddr: '127.0.0.1' });
  });
});

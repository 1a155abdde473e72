import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type ClientHttp2Session } from 'node:http2';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { cleanup, startHttp, tempDir } from './helpers.js';

let dir: string;
let cert: Buffer;

/** A self-signed certificate (also a CA, so it can verify itself as a client certificate). */
function makeCert(into: string, name: string): { cert: string; key: string } {
  const certPath = join(into, `${name}.crt`);
  const keyPath = join(into, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-keyout', keyPath, '-out', certPath,
  ], { stdio: 'ignore' });
  return { cert: certPath, key: keyPath };
}

beforeAll(() => {
  // Created outside the per-test cleanup: the files outlive single tests of this file.
  dir = execFileSync('mktemp', ['-d']).toString().trim();
  makeCert(dir, 'server');
  makeCert(dir, 'client');
  cert = readFileSync(join(dir, 'server.crt'));
  return () => execFileSync('rm', ['-rf', dir]);
});
afterEach(cleanup);

function h2get(url: string, path: string, opts: Parameters<typeof connect>[1] = {}): Promise<{ status: number; body: string; session: ClientHttp2Session }> {
  return new Promise((resolve, reject) => {
    const session = connect(url, opts);
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let status = 0;
    let body = '';
    req.on('response', (h) => { status = Number(h[':status']); });
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => { session.close(); resolve({ status, body, session }); });
    req.on('error', reject);
    req.end();
  });
}

const ssl = (extra: Record<string, unknown> = {}) => ({ address: '127.0.0.1:0', cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ...extra });

describe('https', () => {
  it('serves HTTP/1.1 over TLS with an https uri, and h2 through ALPN', async () => {
    const s = await startHttp({ http: { address: '', ssl: ssl() } });
    expect(s.url).toBe('');
    const agent = new Agent({ connect: { ca: cert } });
    const r = await request(`${s.httpsUrl}/echo`, { dispatcher: agent });
    const e = (await r.body.json()) as { ctx: { uri: string; protocol: string } };
    expect(e.ctx.protocol).toBe('HTTP/1.1');
    expect(e.ctx.uri).toBe(`${s.httpsUrl}/echo`);
    await agent.close();
    const h2 = await h2get(s.httpsUrl, '/echo?v=2', { ca: cert });
    expect(h2.status).toBe(200);
    const ctx = (JSON.parse(h2.body) as { ctx: { protocol: string; uri: string; rawQuery: string } }).ctx;
    expect(ctx.protocol).toBe('HTTP/2.0');
    expect(ctx.uri).toBe(`${s.httpsUrl}/echo?v=2`);
    expect(ctx.rawQuery).toBe('v=2');
    await s.waitForRecord((x) => x.msg === 'https server was started');
  });

  it('redirects the plain listener to https with 308 and HSTS', async () => {
    const s = await startHttp({ http: { ssl: ssl({ redirect: true }) } });
    const r = await request(`${s.url}/path?q=1`);
    expect(r.statusCode).toBe(308);
    const port = new URL(s.httpsUrl).port;
    expect(r.headers['location']).toBe(`https://127.0.0.1:${port}/path?q=1`);
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    await r.body.text();
  });

  it('require_and_verify_client_cert refuses clients without a certificate', async () => {
    const s = await startHttp({ http: { address: '', ssl: ssl({ root_ca: join(dir, 'client.crt'), client_auth_type: 'require_and_verify_client_cert' }) } });
    const bare = new Agent({ connect: { ca: cert } });
    await expect(request(`${s.httpsUrl}/hello`, { dispatcher: bare })).rejects.toThrow();
    await bare.close();
    const withCert = new Agent({ connect: { ca: cert, cert: readFileSync(join(dir, 'client.crt')), key: readFileSync(join(dir, 'client.key')) } });
    const r = await request(`${s.httpsUrl}/hello`, { dispatcher: withCert });
    expect(await r.body.text()).toBe('Hello, world!');
    await withCert.close();
  });

  it('checks that the certificate files exist', async () => {
    const err = await startHttp({ http: { ssl: ssl({ cert: join(tempDir(), 'missing.crt') }) } }).then(() => undefined, (e: unknown) => e) as { errors?: Array<{ message: string }> };
    expect(JSON.stringify(err.errors?.map((e) => e.message))).toContain('ssl.cert');
  });
});

describe('h2c', () => {
  it('accepts HTTP/2 with prior knowledge and HTTP/1.1 on the same plain port', async () => {
    const s = await startHttp({ http: { http2: { h2c: true, max_concurrent_streams: 16 } } });
    const h2 = await h2get(s.url, '/echo');
    expect(h2.status).toBe(200);
    const ctx = (JSON.parse(h2.body) as { ctx: { protocol: string; uri: string } }).ctx;
    expect(ctx.protocol).toBe('HTTP/2.0');
    expect(ctx.uri).toBe(`${s.url}/echo`);
    const r = await request(`${s.url}/hello`);
    expect(await r.body.text()).toBe('Hello, world!');
  });

  it('streams and sends 103 over HTTP/2', async () => {
    const s = await startHttp({ http: { http2: { h2c: true } } });
    const session = connect(s.url);
    const got = await new Promise<{ info: number[]; status: number; body: string }>((resolve, reject) => {
      const info: number[] = [];
      const req = session.request({ ':path': '/early' });
      let status = 0;
      let body = '';
      req.on('headers', (h) => info.push(Number(h[':status'])));
      req.on('response', (h) => { status = Number(h[':status']); });
      req.setEncoding('utf8');
      req.on('data', (c: string) => { body += c; });
      req.on('end', () => resolve({ info, status, body }));
      req.on('error', reject);
      req.end();
    });
    session.close();
    expect(got).toEqual({ info: [103], status: 200, body: 'after hints' });
    const stream = await h2get(s.url, '/stream/7');
    expect(stream.body).toBe(Array.from({ length: 7 }, (_, i) => `chunk${i + 1};`).join(''));
  });
});

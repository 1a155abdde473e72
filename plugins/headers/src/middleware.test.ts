import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '@rr/plugin-api';
import { compileHeadersConfig } from './config.js';
import { headersMiddleware } from './middleware.js';
import { rawGet, startMiddlewareServer, type MiddlewareEngine, type TestServer } from '@rr/testing';

const debugLines: string[] = [];
const logger: Logger = { name: 'headers', debug: (m) => void debugLines.push(m), info() {}, warn() {}, error() {}, isEnabled: () => true };
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(engine: MiddlewareEngine, raw: unknown): Promise<TestServer> {
  const s = await startMiddlewareServer(headersMiddleware(compileHeadersConfig(raw), logger), undefined, { engine });
  servers.push(s);
  return s;
}

const preflight = (origin: string, method = 'PUT', headers?: string): Record<string, string> => ({
  Origin: origin,
  'Access-Control-Request-Method': method,
  ...(headers === undefined ? {} : { 'Access-Control-Request-Headers': headers }),
});

// The plugin declares `lean: true`: every case runs behind node:http and behind the lean lane.
describe.each(['node', 'lean'] as const)('on %s', (engine) => {
  describe('headers middleware: CORS preflight', () => {
    const cors = {
      allowed_origin: 'https://a.example , https://*.b.example',
      allowed_methods: 'GET,PUT, delete',
      allowed_headers: 'Content-Type, X-Token',
      exposed_headers: 'X-Total, X-Page',
      allow_credentials: true,
      max_age: 600,
      options_success_status: 204,
    };

    it('answers an allowed preflight itself, echoing method and headers', async () => {
      const s = await serve(engine, { cors, response: { 'X-Powered-By': 'rr' } });
      const r = await rawGet(s.port, '/api', preflight('https://a.example', 'put', 'x-token, Content-Type'), 'OPTIONS');
      expect(r.status).toBe(204);
      expect(r.headers['access-control-allow-origin']).toBe('https://a.example');
      expect(r.headers['access-control-allow-methods']).toBe('PUT');
      expect(r.headers['access-control-allow-headers']).toBe('x-token, Content-Type');
      expect(r.headers['access-control-allow-credentials']).toBe('true');
      expect(r.headers['access-control-max-age']).toBe('600');
      expect(r.headers['vary']).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
      expect(r.headers['x-powered-by']).toBe('rr');
      expect(s.calls).toEqual([]);
    });

    it('matches wildcard origins and trims list entries', async () => {
      const s = await serve(engine, { cors });
      const r = await rawGet(s.port, '/', preflight('https://x.b.example', 'DELETE'), 'OPTIONS');
      expect(r.headers['access-control-allow-origin']).toBe('https://x.b.example');
      expect(r.headers['access-control-allow-methods']).toBe('DELETE');
    });

    it.each([
      ['an unknown origin', preflight('https://evil.example')],
      ['a method not allowed', preflight('https://a.example', 'PATCH')],
      ['a header not allowed', preflight('https://a.example', 'PUT', 'X-Other')],
      ['no Origin', { 'Access-Control-Request-Method': 'PUT' }],
    ])('refuses %s: success status, no CORS headers, PHP not called', async (_what, headers) => {
      const s = await serve(engine, { cors });
      const r = await rawGet(s.port, '/', headers, 'OPTIONS');
      expect(r.status).toBe(204);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
      expect(r.headers['access-control-allow-methods']).toBeUndefined();
      expect(s.calls).toEqual([]);
    });

    it('a plain OPTIONS (no Access-Control-Request-Method) goes to PHP', async () => {
      const s = await serve(engine, { cors });
      const r = await rawGet(s.port, '/', { Origin: 'https://a.example' }, 'OPTIONS');
      expect(r.body.toString()).toBe('php');
      expect(s.calls.map((c) => c.method)).toEqual(['OPTIONS']);
    });

    it('defaults: any origin as "*", status 200, GET/POST/HEAD and the rs/cors default headers', async () => {
      const s = await serve(engine, { cors: {} });
      const ok = await rawGet(s.port, '/', preflight('https://any.example', 'POST', 'Content-Type'), 'OPTIONS');
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('*');
      expect(ok.headers['access-control-max-age']).toBeUndefined();
      expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
      const put = await rawGet(s.port, '/', preflight('https://any.example', 'PUT'), 'OPTIONS');
      expect(put.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('allowed_origin_regex admits matching origins; "*" with credentials echoes the origin', async () => {
      const s = await serve(engine, { cors: { allowed_origin_regex: '^https://[a-z]+\\.regex\\.example$', allowed_headers: '*', debug: true } });
      const yes = await rawGet(s.port, '/', preflight('https://app.regex.example', 'GET', 'X-Anything'), 'OPTIONS');
      expect(yes.headers['access-control-allow-origin']).toBe('https://app.regex.example');
      expect(yes.headers['access-control-allow-headers']).toBe('X-Anything');
      const no = await rawGet(s.port, '/', preflight('https://app.other.example', 'GET'), 'OPTIONS');
      expect(no.headers['access-control-allow-origin']).toBeUndefined();
      expect(debugLines).toContain('cors preflight');
      const cred = await serve(engine, { cors: { allowed_origin: '*', allow_credentials: true } });
      const r = await rawGet(cred.port, '/', preflight('https://c.example', 'GET'), 'OPTIONS');
      expect(r.headers['access-control-allow-origin']).toBe('https://c.example');
    });
  });

  describe('headers middleware: simple requests and extra headers', () => {
    it('adds CORS headers for an allowed origin and passes the request to PHP', async () => {
      const s = await serve(engine, { cors: { allowed_origin: 'https://a.example', exposed_headers: 'X-Total,X-Page' } });
      const r = await rawGet(s.port, '/list', { Origin: 'https://a.example' });
      expect(r.body.toString()).toBe('php');
      expect(r.headers['access-control-allow-origin']).toBe('https://a.example');
      expect(r.headers['access-control-expose-headers']).toBe('X-Total, X-Page');
      expect(r.headers['vary']).toBe('Origin');
      const other = await rawGet(s.port, '/list', { Origin: 'https://b.example' });
      expect(other.body.toString()).toBe('php');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const none = await rawGet(s.port, '/list');
      expect(none.headers['access-control-allow-origin']).toBeUndefined();
      expect(s.calls).toHaveLength(3);
    });

    it('adds request headers for PHP and response headers on every response', async () => {
      const s = await serve(engine, { request: { 'X-From-RR': 'yes', 'X-Multi': 'b' }, response: { 'X-Frame-Options': 'DENY' } });
      const r = await rawGet(s.port, '/', { 'X-Multi': 'a' });
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(s.calls[0]?.headers['x-from-rr']).toBe('yes');
      expect(s.calls[0]?.headers['x-multi']).toBe('a, b');
      // What the http plugin reads to build PHP's header list.
      expect(s.calls[0]?.rawHeaders).toEqual(expect.arrayContaining(['X-Multi', 'a']));
      const raw = s.calls[0]!.rawHeaders;
      expect(raw.slice(-4)).toEqual(['X-From-RR', 'yes', 'X-Multi', 'b']);
    });
  });
});

describe('headers config', () => {
  it('rejects an invalid allowed_origin_regex at compile time, naming the key', () => {
    expect(() => compileHeadersConfig({ cors: { allowed_origin_regex: '(' } })).toThrow(/cors\.allowed_origin_regex/);
  });
});

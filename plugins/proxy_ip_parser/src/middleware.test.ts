import { afterEach, describe, expect, it } from 'vitest';
import { requestState, type HttpHandler } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import { compileProxyConfig } from './config.js';
import { proxyIpMiddleware } from './middleware.js';
import { rawGet, startMiddlewareServer, type MiddlewareEngine, type TestServer } from '@rr/testing';

const quiet: Logger = { name: 'proxy_ip_parser', debug() {}, info() {}, warn() {}, error() {}, isEnabled: () => false };
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** Answers with the address PHP would be given. */
const echoAddr: HttpHandler = async (req, res) => {
  res.end(requestState(req).remoteAddr);
};

async function addrSeen(
  engine: MiddlewareEngine, subnets: string[], headers: Record<string, string>, opts: { host?: string; trustedHeaders?: string[] } = {},
): Promise<string> {
  const config = compileProxyConfig(subnets, { get: (p: string) => (p === 'http.trusted_headers' ? opts.trustedHeaders : undefined) });
  const host = opts.host ?? '127.0.0.1';
  const s = await startMiddlewareServer(proxyIpMiddleware(config, quiet), echoAddr, { host, engine });
  servers.push(s);
  return (await rawGet(s.port, '/', headers, 'GET', host)).body.toString();
}

// The plugin declares `lean: true`: every case runs behind node:http and behind the lean lane.
describe.each(['node', 'lean'] as const)('on %s', (engine) => {
  describe('proxy_ip_parser middleware (IPv4 peer 127.0.0.1)', () => {
    const trusted = ['10.0.0.0/8', '127.0.0.0/8'];

    it.each([
      [{ 'X-Forwarded-For': '203.0.113.7, 10.1.1.1, 10.2.2.2' }, '203.0.113.7'],
      [{ 'X-Forwarded-For': ' 203.0.113.8 ' }, '203.0.113.8'],
      [{ 'X-Real-Ip': '198.51.100.2' }, '198.51.100.2'],
      [{ 'True-Client-Ip': '198.51.100.3' }, '198.51.100.3'],
      [{ 'Cf-Connecting-Ip': '198.51.100.4' }, '198.51.100.4'],
      [{ Forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' }, '192.0.2.60'],
      [{ Forwarded: 'For="[2001:db8:cafe::17]:4711", for=192.0.2.1' }, '2001:db8:cafe::17'],
      [{ Forwarded: 'for="192.0.2.9:8080"' }, '192.0.2.9'],
      [{ Forwarded: 'for=192.0.2.61', 'X-Forwarded-For': '203.0.113.1' }, '192.0.2.61'],
      [{ 'X-Forwarded-For': '203.0.113.2', 'X-Real-Ip': '198.51.100.9' }, '203.0.113.2'],
      [{ 'X-Forwarded-For': 'unknown', 'X-Real-Ip': '198.51.100.10' }, '198.51.100.10'],
      [{ Forwarded: 'for=_hidden', 'X-Forwarded-For': '2001:db8::5' }, '2001:db8::5'],
      [{ 'X-Real-Ip': '::ffff:198.51.100.11' }, '198.51.100.11'],
    ])('trusted peer: %j -> %s', async (headers, expected) => {
      expect(await addrSeen(engine, trusted, headers)).toBe(expected);
    });

    it('keeps the peer address when no header yields an IP', async () => {
      expect(await addrSeen(engine, trusted, { 'X-Forwarded-For': 'garbage' })).toMatch(/^127\.0\.0\.1:\d+$/);
    });

    it('ignores every header from an untrusted peer', async () => {
      const seen = await addrSeen(engine, ['10.0.0.0/8', '::1/128'], { 'X-Forwarded-For': '203.0.113.7', 'X-Real-Ip': '1.2.3.4', Forwarded: 'for=5.6.7.8' });
      expect(seen).toMatch(/^127\.0\.0\.1:\d+$/);
    });

    it('http.trusted_headers replaces the order and the set of headers consulted', async () => {
      const headers = { 'X-Forwarded-For': '203.0.113.7', 'X-Real-Ip': '198.51.100.2' };
      expect(await addrSeen(engine, trusted, headers, { trustedHeaders: ['X-Real-Ip'] })).toBe('198.51.100.2');
      expect(await addrSeen(engine, trusted, { 'X-Forwarded-For': '203.0.113.7' }, { trustedHeaders: ['X-Real-Ip'] })).toMatch(/^127\.0\.0\.1:\d+$/);
    });
  });

  describe('proxy_ip_parser middleware (IPv6 peer ::1)', () => {
    it('trusts an IPv6 subnet', async () => {
      expect(await addrSeen(engine, ['::1/128'], { 'X-Forwarded-For': '2001:db8::9, ::1' }, { host: '::1' })).toBe('2001:db8::9');
      expect(await addrSeen(engine, ['fe80::/10', '::/0'], { 'X-Real-Ip': '203.0.113.5' }, { host: '::1' })).toBe('203.0.113.5');
    });

    it('does not trust an IPv6 peer on IPv4 subnets only', async () => {
      expect(await addrSeen(engine, ['127.0.0.0/8', '0.0.0.0/0'], { 'X-Forwarded-For': '203.0.113.7' }, { host: '::1' })).toMatch(/^\[::1\]:\d+$/);
    });
  });
});

describe('compileProxyConfig', () => {
  it.each(['10.0.0.0', '10.0.0.0/33', '::1/129', 'nope/8', '10.0.0.0/x'])('rejects %s', (cidr) => {
    expect(() => compileProxyConfig(['127.0.0.0/8', cidr], { get: () => undefined })).toThrow(/trusted_subnets\[1\]/);
  });
});

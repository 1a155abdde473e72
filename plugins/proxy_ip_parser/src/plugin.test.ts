import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '@rr/kernel';
import { requestState } from '@rr/http-api';
import { proxyIpParserPlugin } from './plugin.js';
import { kernelWith, rawGet, startError, startMiddlewareServer, type TestServer } from '@rr/testing';

const open: Array<Kernel | TestServer> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await ('port' in o ? o.close() : o.stop('test cleanup'));
});

describe('proxy_ip_parser plugin', () => {
  it.each([
    [{ http: { address: '127.0.0.1:0' } }, 'http.trusted_subnets'],
    [{ http: { address: '127.0.0.1:0', trusted_subnets: [] } }, 'http.trusted_subnets is empty'],
  ])('is disabled for %j', (data, reason) => {
    const { kernel } = kernelWith(proxyIpParserPlugin, data, tmpdir());
    const report = kernel.resolve().plugins.find((p) => p.name === 'proxy_ip_parser');
    expect(report?.enabled).toBe(false);
    expect(report?.reason).toContain(reason);
  });

  it('reports an invalid CIDR as a config error', async () => {
    const { kernel } = kernelWith(proxyIpParserPlugin, { http: { trusted_subnets: ['10.0.0.0/8', '300.1.1.1/8'] } }, tmpdir());
    open.push(kernel);
    const text = JSON.stringify((await startError(kernel)).errors?.map((e) => [e.code, e.message]));
    expect(text).toContain('RR_ERR_CONFIG_INVALID');
    expect(text).toContain('trusted_subnets[1]');
  });

  it('accepts the comma-string form (-o http.trusted_subnets=…) and contributes a working middleware', async () => {
    const made = kernelWith(proxyIpParserPlugin, { http: { trusted_subnets: '10.0.0.0/8,127.0.0.0/8' } }, tmpdir());
    open.push(made.kernel);
    await made.kernel.start();
    const [only] = made.collected();
    expect(only?.value.name).toBe('proxy_ip_parser');
    expect(only?.value.lean).toBe(true);
    const s = await startMiddlewareServer(only!.value.middleware, async (req, res) => { res.end(requestState(req).remoteAddr); });
    open.push(s);
    expect((await rawGet(s.port, '/', { 'X-Forwarded-For': '203.0.113.7' })).body.toString()).toBe('203.0.113.7');
  });
});

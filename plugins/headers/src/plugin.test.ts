import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '@rr/kernel';
import { headersPlugin } from './plugin.js';
import { kernelWith, rawGet, startError, startMiddlewareServer, type TestServer } from '@rr/testing';

const open: Array<Kernel | TestServer> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await ('port' in o ? o.close() : o.stop('test cleanup'));
});

describe('headers plugin', () => {
  it('is disabled without an http.headers section, naming it', () => {
    const { kernel } = kernelWith(headersPlugin, { http: { address: '127.0.0.1:0' } }, tmpdir());
    const report = kernel.resolve().plugins.find((p) => p.name === 'headers');
    expect(report?.enabled).toBe(false);
    expect(report?.reason).toContain('http.headers');
  });

  it('reports a bad regex and unknown keys as config errors', async () => {
    const { kernel } = kernelWith(headersPlugin, { http: { headers: { cors: { allowed_origin_regex: '[', alowed_methods: 'GET' } } } }, tmpdir());
    open.push(kernel);
    const err = await startError(kernel);
    const text = JSON.stringify(err.errors?.map((e) => [e.code, e.message]));
    expect(text).toContain('RR_ERR_CONFIG_INVALID');
    expect(text).toContain('alowed_methods');
    const second = kernelWith(headersPlugin, { http: { headers: { cors: { allowed_origin_regex: '[' } } } }, tmpdir());
    open.push(second.kernel);
    expect(JSON.stringify((await startError(second.kernel)).errors?.map((e) => e.message))).toContain('allowed_origin_regex');
  });

  it('contributes "headers" built from the section (max_age given as a string, as -o would)', async () => {
    const made = kernelWith(headersPlugin, { http: { headers: { cors: { allowed_origin: 'https://a.example', max_age: '60' }, response: { 'X-A': '1' } } } }, tmpdir());
    open.push(made.kernel);
    await made.kernel.start();
    const [only] = made.collected();
    expect(only?.value.name).toBe('headers');
    expect(only?.value.lean).toBe(true);
    const s = await startMiddlewareServer(only!.value.middleware);
    open.push(s);
    const r = await rawGet(s.port, '/', { Origin: 'https://a.example', 'Access-Control-Request-Method': 'GET' }, 'OPTIONS');
    expect(r.headers['access-control-max-age']).toBe('60');
    expect(r.headers['x-a']).toBe('1');
  });
});

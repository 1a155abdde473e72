import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, createMemoryLogging, validateSection, type Kernel } from '@rr/kernel';
import { definePlugin, type Contribution } from '@rr/plugin-api';
import { httpMiddlewareToken, type MiddlewareContribution } from '@rr/http-api';
import { staticPlugin } from './plugin.js';
import { rawGet, startMiddlewareServer } from '@rr/testing';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Stands in for the http plugin: collects the middleware registry when it serves. */
function collector(seen: { list?: readonly Contribution<MiddlewareContribution>[] }) {
  return definePlugin({
    name: 'http',
    kernel: '^0.1.0',
    collects: [httpMiddlewareToken],
    init(ctx) {
      return { serve: () => { seen.list = ctx.collected(httpMiddlewareToken); } };
    },
  });
}

function kernelWith(data: Record<string, unknown>, seen = {}): { kernel: Kernel; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rr-static-kernel-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const kernel = createKernel({
    entries: [collector(seen), staticPlugin].map((plugin) => ({ plugin, source: 'builtin' as const, packageName: `test-${plugin.name}`, packageVersion: '0.0.0' })),
    config: { file: join(dir, '.rr.yaml'), dir, data: { version: '3', ...data }, experimental: false },
    loggers: createMemoryLogging(),
    version: '2026.1.0-test',
    validateSection,
  });
  cleanups.push(() => kernel.stop('test cleanup'));
  return { kernel, dir };
}

async function startError(kernel: Kernel): Promise<{ code: string; errors?: Array<{ code?: string; message: string }> }> {
  return (await kernel.start().then(() => { throw new Error('expected start() to fail'); }, (e: unknown) => e)) as never;
}

describe('static plugin', () => {
  it('is disabled without an http.static section, naming it', () => {
    const { kernel } = kernelWith({ http: { address: '127.0.0.1:0' } });
    const report = kernel.resolve().plugins.find((p) => p.name === 'static');
    expect(report?.enabled).toBe(false);
    expect(report?.reason).toContain('http.static');
  });

  it('aborts start-up when dir does not exist, with RoadRunner\'s text', async () => {
    const { kernel } = kernelWith({ http: { static: { dir: 'nope' } } });
    const err = await startError(kernel);
    expect(err.code).toBe('RR_ERR_KERNEL_RESOLVE');
    const text = JSON.stringify(err.errors?.map((e) => [e.code, e.message]));
    expect(text).toContain('RR_ERR_CONFIG_INVALID');
    expect(text).toContain("root directory 'nope' does not exists");
  });

  it('rejects unknown keys and wrong types in the section', async () => {
    const { kernel } = kernelWith({ http: { static: { dir: '.', calculate_etags: true, forbid: 5 } } });
    const text = JSON.stringify((await startError(kernel)).errors?.map((e) => e.message));
    expect(text).toContain('calculate_etags');
    expect(text).toContain('forbid');
  });

  it('contributes a working "static" middleware resolving dir against the config directory', async () => {
    const seen: { list?: readonly Contribution<MiddlewareContribution>[] } = {};
    const { kernel, dir } = kernelWith({ http: { static: { dir: 'public', forbid: '.php' } } }, seen);
    mkdirSync(join(dir, 'public'));
    writeFileSync(join(dir, 'public', 'a.txt'), 'hello');
    writeFileSync(join(dir, 'public', 'b.php'), 'src');
    await kernel.start();
    expect(seen.list?.map((c) => [c.plugin, c.value.name, c.value.lean])).toEqual([['static', 'static', true]]);
    const server = await startMiddlewareServer(seen.list![0]!.value.middleware);
    cleanups.push(() => server.close());
    expect((await rawGet(server.port, '/a.txt')).body.toString()).toBe('hello');
    expect((await rawGet(server.port, '/b.php')).body.toString()).toBe('php');
  });
});

import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, createMemoryLogging, validateSection, type Kernel } from '@rr/kernel';
import { definePlugin, type AnyPlugin, type Contribution } from '@rr/plugin-api';
import { httpMiddlewareToken, type HttpHandler, type MiddlewareContribution } from '@rr/http-api';
import { metricsPlugin } from '@rr/plugin-metrics';
import { get } from '@rr/testing';
import { parseExposition, sampleValue } from '../../metrics/src/test-prom-parse.js';
import { httpMetricsPlugin } from './plugin.js';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.stop('test cleanup');
});

async function start(data: Record<string, unknown>): Promise<{ logs: ReturnType<typeof createMemoryLogging>; middleware: () => Contribution<MiddlewareContribution>[] }> {
  let seen: readonly Contribution<MiddlewareContribution>[] = [];
  const http = definePlugin({
    name: 'http',
    kernel: '^0.1.0',
    collects: [httpMiddlewareToken],
    init(ctx) { return { serve: () => { seen = ctx.collected(httpMiddlewareToken); } }; },
  });
  const logs = createMemoryLogging();
  const plugins: AnyPlugin[] = [metricsPlugin, httpMetricsPlugin, http];
  const kernel = createKernel({
    entries: plugins.map((p) => ({ plugin: p, source: 'builtin' as const, packageName: `test-${p.name}`, packageVersion: '0.0.0' })),
    config: { file: `${tmpdir()}/.rr.yaml`, dir: tmpdir(), data: { version: '3', ...data }, experimental: false },
    loggers: logs,
    version: '2026.1.0-test',
    validateSection,
  });
  kernels.push(kernel);
  await kernel.start();
  return { logs, middleware: () => [...seen] };
}

describe('http_metrics plugin', () => {
  it('is always enabled; without metrics its middleware is a pass-through', async () => {
    const { middleware } = await start({});
    const contributed = middleware();
    expect(contributed.map((c) => [c.plugin, c.value.name])).toEqual([['http_metrics', 'http_metrics']]);
    const next: HttpHandler = async () => {};
    expect(contributed[0]?.value.middleware(next)).toBe(next);
  });

  it('registers rr_http_* in the metrics registry and ticks rr_http_uptime_seconds every second', async () => {
    const { logs } = await start({ metrics: { address: '127.0.0.1:0' } });
    const rec = logs.records.find((r) => r.msg === 'metrics server started');
    const port = rec?.fields.port as number;
    const scrape = async () => parseExposition((await get(port, '/metrics')).body);
    const first = await scrape();
    expect((await get(port, '/metrics')).body).toMatch(/^rr_http_uptime_seconds \d+$/m);
    expect(sampleValue(first, 'rr_http_requests_queue')).toBe(0);
    expect(sampleValue(first, 'rr_http_no_free_workers_total')).toBe(0);
    // Poll the endpoint (each scrape is an event) until the 1 s ticker has fired, then parse.
    const deadline = Date.now() + 5000;
    while (!/^rr_http_uptime_seconds [1-9]/m.test((await get(port, '/metrics')).body) && Date.now() < deadline) { /* next scrape */ }
    // The Python parser reports a counter's sample with the _total suffix (the wire name has none).
    const uptime = sampleValue(await scrape(), 'rr_http_uptime_seconds_total') ?? 0;
    expect(uptime).toBeGreaterThanOrEqual(1);
  });
});

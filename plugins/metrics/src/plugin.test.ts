import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '@rr/kernel';
import type { WorkerStateName } from '@rr/pool-api';
import { compileMetricsConfig } from './config.js';
import { metricsPlugin } from './plugin.js';
import { fakeWorkerPlugin, get, loggedPort, testKernel } from '@rr/testing';
import { familyOf, parseExposition, sampleValue, samplesNamed } from './test-prom-parse.js';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.stop('test cleanup');
});

async function started(extra: ReturnType<typeof fakeWorkerPlugin>[], metrics: Record<string, unknown> = {}): Promise<number> {
  const { kernel, logs } = testKernel([metricsPlugin, ...extra], { metrics: { address: '127.0.0.1:0', ...metrics } });
  kernels.push(kernel);
  await kernel.start();
  return loggedPort(logs, 'metrics server started');
}

async function scrape(port: number, path = '/metrics') {
  const r = await get(port, path);
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(r.body);
}

describe('metrics config', () => {
  it('defaults to RoadRunner\'s 127.0.0.1:2112, an empty address too', () => {
    for (const raw of [undefined, {}, { address: '' }]) {
      const c = compileMetricsConfig(raw);
      expect([c.address, c.listen]).toEqual(['127.0.0.1:2112', { host: '127.0.0.1', port: 2112 }]);
    }
    expect(compileMetricsConfig({ address: ':9000' }).listen).toEqual({ host: undefined, port: 9000 });
    expect(compileMetricsConfig({ address: '[::1]:9000' }).listen).toEqual({ host: '::1', port: 9000 });
  });

  it('is disabled without a metrics section; a bad collector type names its path', async () => {
    const off = testKernel([metricsPlugin], {});
    expect(off.kernel.resolve().plugins.find((p) => p.name === 'metrics')?.enabled).toBe(false);
    const { kernel } = testKernel([metricsPlugin], { metrics: { collect: { hits: { type: 'meter' } } } });
    kernels.push(kernel);
    const err = (await kernel.start().then(() => undefined, (e: unknown) => e)) as { code: string; errors?: Array<{ message: string }> };
    expect(err.code).toBe('RR_ERR_KERNEL_RESOLVE');
    expect(JSON.stringify(err.errors?.map((e) => e.message))).toContain('collect.hits.type');
  });
});

describe('metrics plugin', () => {
  it('serves node process metrics and the configured collectors on every path', async () => {
    const port = await started([], {
      collect: {
        hits: { type: 'counter', namespace: 'app', help: 'Hits.' },
        latency: { type: 'histogram', subsystem: 'db', labels: ['query'], buckets: [0.1, 1] },
        size: { type: 'summary', objectives: { 0.5: 0.05, 0.9: 0.01 } },
        temp: { type: 'gauge', namespace: 'a', subsystem: 'b', labels: ['room', 'floor'] },
      },
    });
    for (const path of ['/metrics', '/', '/anything?x=1']) {
      const families = await scrape(port, path);
      expect(sampleValue(families, 'app_hits_total')).toBe(0);
      expect(familyOf(families, 'app_hits_total')).toMatchObject({ type: 'counter', help: 'Hits.' });
      expect(familyOf(families, 'db_latency')?.type).toBe('histogram');
      expect(familyOf(families, 'size_count')?.type).toBe('summary');
      expect(familyOf(families, 'a_b_temp')?.type).toBe('gauge');
      expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(samplesNamed(families, 'nodejs_heap_size_used_bytes')).toHaveLength(1);
    }
  });

  it('exports worker gauges per plugin with workers, computed at scrape time', async () => {
    const web: { current: WorkerStateName[] } = { current: ['ready', 'working', 'invalid'] };
    const port = await started([fakeWorkerPlugin('web', web), fakeWorkerPlugin('queue', { current: ['ready'] })]);
    let f = await scrape(port);
    expect(sampleValue(f, 'rr_web_total_workers')).toBe(3);
    expect(sampleValue(f, 'rr_web_workers_ready')).toBe(1);
    expect(sampleValue(f, 'rr_web_workers_working')).toBe(1);
    expect(sampleValue(f, 'rr_web_workers_invalid')).toBe(1);
    expect(sampleValue(f, 'rr_web_workers_memory_bytes')).toBe(1024 + 2048 + 3072);
    expect(sampleValue(f, 'rr_web_worker_memory_bytes', { pid: '1001' })).toBe(2048);
    expect(samplesNamed(f, 'rr_web_worker_state').map((s) => [s.labels, s.value])).toEqual([
      [{ state: 'ready', pid: '1000' }, 0],
      [{ state: 'working', pid: '1001' }, 0],
      [{ state: 'invalid', pid: '1002' }, 0],
    ]);
    expect(familyOf(f, 'rr_web_worker_state')?.type).toBe('gauge');
    expect(sampleValue(f, 'rr_queue_total_workers')).toBe(1);

    web.current = ['working'];
    f = await scrape(port);
    expect(sampleValue(f, 'rr_web_total_workers')).toBe(1);
    expect(sampleValue(f, 'rr_web_workers_ready')).toBe(0);
    // A worker that is gone leaves no stale per-pid series behind.
    expect(samplesNamed(f, 'rr_web_worker_state').map((s) => s.labels)).toEqual([{ state: 'working', pid: '1000' }]);
    expect(samplesNamed(f, 'rr_web_worker_memory_bytes')).toHaveLength(1);
  });

  it('fails to start with RR_ERR_METRICS_LISTEN when the address is taken', async () => {
    const port = await started([]);
    const { kernel } = testKernel([metricsPlugin], { metrics: { address: `127.0.0.1:${port}` } });
    kernels.push(kernel);
    const err = (await kernel.start().then(() => undefined, (e: unknown) => e)) as { code: string; cause?: { code?: string; message?: string } };
    const codes = JSON.stringify([err.code, err.cause?.code, err.cause?.message ?? '', String(err)]);
    expect(codes).toContain('RR_ERR_METRICS_LISTEN');
    expect(codes).toContain('EADDRINUSE');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '@rr/kernel';
import { definePlugin } from '@rr/plugin-api';
import type { WorkerStateName } from '@rr/pool-api';
import { jobsStateSourcesToken, statusCheckersToken, type JobsPipelineReport } from '@rr/status-api';
import { statusPlugin } from './plugin.js';
import { fakeWorkerPlugin, get, loggedPort, testKernel, type Answer } from '@rr/testing';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.stop('test cleanup');
});

async function started(extra: ReturnType<typeof fakeWorkerPlugin>[], status: Record<string, unknown> = {}): Promise<number> {
  const { kernel, logs } = testKernel([statusPlugin, ...extra], { status: { address: '127.0.0.1:0', ...status } });
  kernels.push(kernel);
  await kernel.start();
  return loggedPort(logs, 'status server started');
}

const parsed = (a: Answer): unknown => JSON.parse(a.body);

describe('status plugin', () => {
  it('is disabled without a status section', () => {
    const { kernel } = testKernel([statusPlugin], {});
    expect(kernel.resolve().plugins.find((p) => p.name === 'status')?.enabled).toBe(false);
  });

  it('rejects an invalid unavailable_status_code with its path', async () => {
    const { kernel } = testKernel([statusPlugin], { status: { unavailable_status_code: 'x' } });
    kernels.push(kernel);
    const err = (await kernel.start().then(() => undefined, (e: unknown) => e)) as { code: string; errors?: Array<{ message: string }> };
    expect(err.code).toBe('RR_ERR_KERNEL_RESOLVE');
    expect(JSON.stringify(err.errors?.map((e) => e.message))).toContain('unavailable_status_code');
  });

  it('reports health and readiness of every plugin with workers', async () => {
    const web: { current: WorkerStateName[] } = { current: ['ready', 'working'] };
    const jobs: { current: WorkerStateName[] } = { current: ['working'] };
    const port = await started([fakeWorkerPlugin('web', web), fakeWorkerPlugin('queue', jobs)]);

    const health = await get(port, '/health');
    expect(health.status).toBe(200);
    expect(health.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(health.body).toBe('[{"plugin_name":"web","error_message":"","status_code":200},{"plugin_name":"queue","error_message":"","status_code":200}]');

    // queue has no idle worker: not ready, and the whole answer takes the unavailable code.
    const ready = await get(port, '/ready');
    expect(ready.status).toBe(503);
    expect(parsed(ready)).toEqual([
      { plugin_name: 'web', error_message: '', status_code: 200 },
      { plugin_name: 'queue', error_message: 'internal server error, see logs', status_code: 503 },
    ]);

    expect((await get(port, '/ready?plugin=web')).status).toBe(200);

    // Workers that are neither ready nor working: not even healthy.
    jobs.current = ['invalid', 'stopping'];
    const h2 = await get(port, '/health?plugin=queue');
    expect(h2.status).toBe(503);
    expect(parsed(h2)).toEqual([{ plugin_name: 'queue', error_message: 'internal server error, see logs', status_code: 503 }]);
    web.current = [];
    expect((await get(port, '/health?plugin=web')).status).toBe(503);
  });

  it('checks only the plugins named in ?plugin=, leaving unknown ones out', async () => {
    const port = await started([fakeWorkerPlugin('a', { current: ['ready'] }), fakeWorkerPlugin('b', { current: ['working'] })]);
    const both = await get(port, '/ready?plugin=b&plugin=nope&plugin=a');
    expect(both.status).toBe(503);
    expect((parsed(both) as Array<{ plugin_name: string }>).map((r) => r.plugin_name)).toEqual(['b', 'a']);
    const unknown = await get(port, '/health?plugin=nope');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toBe('[]');
    // The comma form of the docs is one unknown name, not two plugins.
    expect((await get(port, '/health?plugin=a,b')).body).toBe('[]');
  });

  it('answers with unavailable_status_code from the config', async () => {
    const port = await started([fakeWorkerPlugin('a', { current: [] })], { unavailable_status_code: 500 });
    const r = await get(port, '/health');
    expect(r.status).toBe(500);
    expect(parsed(r)).toEqual([{ plugin_name: 'a', error_message: 'internal server error, see logs', status_code: 500 }]);
  });

  it('uses custom checkers: they replace the derived check, report their errors and odd codes', async () => {
    const custom = definePlugin({
      name: 'custom',
      kernel: '^0.1.0',
      contributes: [statusCheckersToken],
      init(ctx) {
        ctx.contribute(statusCheckersToken, { plugin: 'a', ready: () => ({ code: 204 }) });
        ctx.contribute(statusCheckersToken, { plugin: 'broken', status: () => { throw new Error('redis is gone'); } });
        ctx.contribute(statusCheckersToken, { plugin: 'odd', status: async () => ({ code: 42 }) });
      },
    });
    const port = await started([fakeWorkerPlugin('a', { current: ['working'] }), custom]);
    expect(parsed(await get(port, '/ready?plugin=a'))).toEqual([{ plugin_name: 'a', error_message: '', status_code: 204 }]);

    const all = await get(port, '/health');
    expect(all.status).toBe(503);
    expect(parsed(all)).toEqual([
      { plugin_name: 'a', error_message: '', status_code: 200 },
      { plugin_name: 'broken', error_message: 'redis is gone', status_code: 503 },
      { plugin_name: 'odd', error_message: 'unexpected status code', status_code: 42 },
    ]);
    // Named explicitly, a failing checker is a 500 entry and does not change the HTTP status (as RR).
    const named = await get(port, '/health?plugin=broken');
    expect(named.status).toBe(200);
    expect(parsed(named)).toEqual([{ plugin_name: 'broken', error_message: 'redis is gone', status_code: 500 }]);
  });

  it('/jobs: "jobs plugin not found" without a jobs plugin, the pipelines with one', async () => {
    const port = await started([]);
    const none = await get(port, '/jobs');
    expect(none.status).toBe(503);
    expect(none.body).toBe('jobs plugin not found\n');

    const pipeline: JobsPipelineReport = { pipeline: 'emails', priority: 10, ready: true, queue: 'q', active: 2, delayed: 1, reserved: 0, driver: 'memory', error_message: '' };
    const jobs = definePlugin({
      name: 'jobs',
      kernel: '^0.1.0',
      contributes: [jobsStateSourcesToken],
      init(ctx) {
        ctx.contribute(jobsStateSourcesToken, { plugin: 'jobs', jobsState: async () => [pipeline] });
      },
    });
    const port2 = await started([jobs]);
    const r = await get(port2, '/jobs');
    expect(r.status).toBe(200);
    expect(r.body).toBe('[{"pipeline":"emails","priority":10,"ready":true,"queue":"q","active":2,"delayed":1,"reserved":0,"driver":"memory","error_message":""}]');
  });

  it('answers 404 outside /health, /ready and /jobs', async () => {
    const port = await started([]);
    for (const path of ['/', '/health/', '/metrics', '/healthz']) {
      const r = await get(port, path);
      expect([path, r.status, r.body]).toEqual([path, 404, '404 page not found\n']);
    }
  });

  it('keeps answering while its plugins stop, saying it is shutting down', async () => {
    const seen: Record<string, Answer> = {};
    let port = 0;
    // Plugins with workers stop before status (they contribute what it collects), after every drain.
    const web = fakeWorkerPlugin('web', { current: ['ready'] }, {
      async stop() {
        for (const path of ['/health', '/ready', '/jobs', '/health?plugin=web']) seen[path] = await get(port, path);
      },
    });
    const { kernel, logs } = testKernel([statusPlugin, web], { status: { address: '127.0.0.1:0' } });
    kernels.push(kernel);
    await kernel.start();
    port = loggedPort(logs, 'status server started');
    expect((await get(port, '/ready')).status).toBe(200);
    await kernel.stop('test');
    expect(Object.fromEntries(Object.entries(seen).map(([p, a]) => [p, [a.status, a.body]]))).toEqual({
      '/health': [200, 'service is shutting down\n'],
      '/ready': [503, 'service is shutting down\n'],
      '/jobs': [503, 'service is shutting down\n'],
      '/health?plugin=web': [200, 'service is shutting down\n'],
    });
    await expect(get(port, '/health')).rejects.toThrow(/ECONNREFUSED/);
  });
});

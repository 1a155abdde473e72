import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '@rr/plugin-api';
import { informerPlugin } from '@rr/plugin-informer';
import { resetterPlugin } from '@rr/plugin-resetter';
import { informerSourcesToken, resetterTargetsToken } from '@rr/rpc-api';
import type { WorkerInfo } from '@rr/pool-api';
import { rpcPlugin } from '../src/index.js';
import { cleanupAll, makeKernel, startKernel } from './harness.js';

afterEach(cleanupAll);

/** A plugin with "workers" whose pids change on reset, like a pool. */
function fakePool(name: string, firstPid: number) {
  let pids = [firstPid, firstPid + 1];
  const resets: string[] = [];
  const workers = (): WorkerInfo[] => pids.map((pid) => ({
    pid, status: 'ready', numExecs: 3, createdAt: 1_700_000_000_000, memoryBytes: 1024, cpuPercent: 0, command: '',
  }));
  const plugin = definePlugin({
    name,
    kernel: '^0.1.0',
    contributes: [informerSourcesToken, resetterTargetsToken],
    init(ctx) {
      ctx.contribute(informerSourcesToken, { plugin: name, workers });
      ctx.contribute(resetterTargetsToken, {
        plugin: name,
        async reset() {
          resets.push(name);
          pids = pids.map((p) => p + 100);
          await Promise.resolve();
        },
      });
    },
  });
  return { plugin, resets };
}

const rpc = { rpc: { listen: 'tcp://127.0.0.1:0' } };

describe('informer and resetter over RPC', () => {
  it('lists plugins with workers and their workers in RoadRunner\'s JSON shape', async () => {
    const http = fakePool('fakehttp', 1000);
    const jobs = fakePool('fakejobs', 2000);
    const rr = await startKernel(rpc, [rpcPlugin, informerPlugin, resetterPlugin, http.plugin, jobs.plugin]);
    const client = await rr.connect();
    expect(await client.callJson('informer.List', true)).toEqual(['fakehttp', 'fakejobs']);
    const raw = await client.call('informer.Workers', '"fakehttp"');
    expect(raw.body.toString()).toBe(
      '{"workers":[' +
        '{"pid":1000,"status":1,"numExecs":3,"created":1700000000000000000,"memoryUsage":1024,"CPUPercent":0,"command":"","statusStr":"ready"},' +
        '{"pid":1001,"status":1,"numExecs":3,"created":1700000000000000000,"memoryUsage":1024,"CPUPercent":0,"command":"","statusStr":"ready"}]}',
    );
    expect(await client.callJson('informer.Workers', 'nosuch')).toEqual({ workers: null });
    await expect(client.callJson('informer.Workers', 5)).rejects.toMatchObject({ remoteMessage: expect.stringContaining('cannot unmarshal number into Go value of type string') });
    await expect(client.callJson('informer.AddWorker', 'fakehttp')).rejects.toMatchObject({ remoteMessage: 'plugin fakehttp does not support workers management' });
    expect(await client.callJson('informer.Jobs', 'fakejobs')).toBeNull();
  });

  it('resets one plugin: resetter.Reset returns true and the worker pids change', async () => {
    const http = fakePool('fakehttp', 1000);
    const jobs = fakePool('fakejobs', 2000);
    const rr = await startKernel(rpc, [rpcPlugin, informerPlugin, resetterPlugin, http.plugin, jobs.plugin]);
    const client = await rr.connect();
    expect(await client.callJson('resetter.List', true)).toEqual(['fakehttp', 'fakejobs']);
    expect(await client.callJson('resetter.Reset', 'fakehttp')).toBe(true);
    expect(http.resets).toEqual(['fakehttp']);
    expect(jobs.resets).toEqual([]);
    const after = await client.callJson<{ workers: Array<{ pid: number }> }>('informer.Workers', 'fakehttp');
    expect(after.workers.map((w) => w.pid)).toEqual([1100, 1101]);
    await expect(client.callJson('resetter.Reset', 'nosuch')).rejects.toMatchObject({ remoteMessage: 'no such plugin: nosuch' });
  });

  it('starts rpc before informer/resetter and those before their contributors', () => {
    const http = fakePool('fakehttp', 1000);
    const { kernel } = makeKernel(rpc, [http.plugin, resetterPlugin, informerPlugin, rpcPlugin]);
    const order = kernel.resolve().order;
    expect(order.indexOf('rpc')).toBeLessThan(order.indexOf('informer'));
    expect(order.indexOf('informer')).toBeLessThan(order.indexOf('fakehttp'));
    expect(order.indexOf('resetter')).toBeLessThan(order.indexOf('fakehttp'));
  });

  it('informer and resetter run (and stay harmless) when rpc is disabled', async () => {
    const http = fakePool('fakehttp', 1000);
    const { kernel } = makeKernel({}, [rpcPlugin, informerPlugin, resetterPlugin, http.plugin]);
    await kernel.start();
    const report = kernel.resolve();
    expect(report.plugins.filter((p) => p.enabled).map((p) => p.name).sort()).toEqual(['fakehttp', 'informer', 'resetter']);
  });
});

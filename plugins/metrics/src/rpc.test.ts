import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMemoryLogging } from '@rr/kernel';
import type { RpcService } from '@rr/rpc-api';
import { metricsRpcService } from './rpc.js';
import { parseExposition, sampleValue } from './test-prom-parse.js';
import { UserCollectors } from './user-collectors.js';

function service(): { registry: Registry; svc: RpcService } {
  const registry = new Registry();
  return { registry, svc: metricsRpcService(new UserCollectors(registry, createMemoryLogging().named('metrics'))) };
}

async function call(svc: RpcService, method: string, arg: unknown): Promise<unknown> {
  const m = svc.methods[method];
  if (m === undefined) throw new Error(`no method ${method}`);
  const reply = await m({ method: `metrics.${method}`, body: Buffer.from(JSON.stringify(arg)), codec: 'json' });
  return JSON.parse(Buffer.from(reply.body).toString());
}

const declare = (svc: RpcService, name: string, collector: Record<string, unknown>) =>
  call(svc, 'Declare', { name, collector: { namespace: '', subsystem: '', help: '', labels: [], buckets: [], ...collector } });

describe('metrics RPC service', () => {
  it('declares, updates and unregisters collectors as spiral/roadrunner-metrics sends them', async () => {
    const { registry, svc } = service();
    expect(await declare(svc, 'hits', { type: 'counter', namespace: 'app', labels: ['code'] })).toBe(true);
    expect(await declare(svc, 'temp', { type: 'gauge' })).toBe(true);
    expect(await declare(svc, 'lat', { type: 'histogram', buckets: [0.5, 2] })).toBe(true);
    // PHP encodes an empty objectives array as [].
    expect(await declare(svc, 'size', { type: 'summary', objectives: [] })).toBe(true);
    // Re-declaring is fine (PHP declares on every worker boot).
    expect(await declare(svc, 'temp', { type: 'gauge' })).toBe(true);

    expect(await call(svc, 'Add', { name: 'hits', value: 2, labels: ['200'] })).toBe(true);
    expect(await call(svc, 'Add', { Name: 'hits', Value: 1.5, Labels: ['200'] })).toBe(true); // Go matches keys case-insensitively
    expect(await call(svc, 'Set', { name: 'temp', value: 10 })).toBe(true);
    expect(await call(svc, 'Sub', { name: 'temp', value: 3 })).toBe(true);
    expect(await call(svc, 'Add', { name: 'temp', value: 1 })).toBe(true);
    expect(await call(svc, 'Observe', { name: 'lat', value: 1 })).toBe(true);
    expect(await call(svc, 'Observe', { name: 'size', value: 7 })).toBe(true);

    const f = await parseExposition(await registry.metrics());
    expect(sampleValue(f, 'app_hits_total', { code: '200' })).toBe(3.5);
    expect(sampleValue(f, 'temp')).toBe(8);
    expect(sampleValue(f, 'lat_bucket', { le: '0.5' })).toBe(0);
    expect(sampleValue(f, 'lat_bucket', { le: '2' })).toBe(1);
    expect(sampleValue(f, 'size_sum')).toBe(7);

    expect(await call(svc, 'Unregister', 'temp')).toBe(true);
    expect(await registry.metrics()).not.toMatch(/^temp /m);
    // The name is free again.
    expect(await declare(svc, 'temp', { type: 'counter' })).toBe(true);
  });

  it.each([
    ['Add', { name: 'nope', value: 1 }, 'metrics_plugin_add: undefined collector nope, try first Declare the desired collector'],
    ['Set', { name: 'nope', value: 1 }, 'metrics_plugin_set: undefined collector nope'],
    ['Sub', { name: 'c', value: 1 }, 'metrics_plugin_sub: collector `c` does not support method `Sub`'],
    ['Set', { name: 'c', value: 1 }, 'metrics_plugin_set: collector `c` does not support method `Set`'],
    ['Observe', { name: 'g', value: 1 }, 'metrics_plugin_observe: collector `g` does not support method `Observe`'],
    ['Add', { name: 'h', value: 1 }, 'metrics_plugin_add: collector `h` does not support method `Add`'],
    ['Add', { name: 'c', value: -1 }, 'metrics_plugin_add: counter cannot decrease in value: c'],
    ['Add', { name: 'v', value: 1 }, 'metrics_plugin_add: required labels for collector v'],
    ['Add', { name: 'v', value: 1, labels: ['a', 'b'] }, 'metrics_plugin_add: inconsistent label cardinality: expected 1 label values but got 2'],
  ])('%s %j fails with RoadRunner\'s text', async (method, arg, text) => {
    const { svc } = service();
    await declare(svc, 'c', { type: 'counter' });
    await declare(svc, 'g', { type: 'gauge' });
    await declare(svc, 'h', { type: 'histogram' });
    await declare(svc, 'v', { type: 'counter', labels: ['code'] });
    await expect(call(svc, method, arg)).rejects.toThrow(text);
  });

  it('rejects an unknown type, an unknown Unregister and a name clash with another metric', async () => {
    const { svc } = service();
    await expect(declare(svc, 'x', { type: 'meter' })).rejects.toThrow('metrics_plugin_declare: unknown collector type meter');
    await expect(call(svc, 'Unregister', 'x')).rejects.toThrow('metrics_plugin_unregister: undefined collector x');
    await declare(svc, 'a_b', { type: 'gauge' });
    await expect(declare(svc, 'b', { type: 'gauge', namespace: 'a' })).rejects.toThrow(/metrics_plugin_declare: .*a_b/);
  });
});

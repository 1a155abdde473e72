import { fake, token } from './_harness.js';

const poolFactory = token('pool.factory');
const kvStore = token('kv.store');
const a = token('a.service');
const b = token('b.service');

export const description = 'resolution collects every problem at once, each with its own code, and runs no plugin hook';

export const plugins = [
  { raw: 42, packageName: 'rr-plugin-broken' },
  { raw: { kind: 'rr.plugin', format: 1, name: 'half', kernel: '^0.1.0', provides: ['kv.store'] }, packageName: 'rr-plugin-half' },
  fake({ name: 'dup' }),
  fake({ name: 'dup' }),
  fake({ name: 'old', kernel: '^1.0.0' }),
  fake({ name: 'pool', provides: [poolFactory], config: {} }),
  fake({ name: 'jobs', deps: [poolFactory] }),
  fake({ name: 'kv', provides: [kvStore] }),
  fake({ name: 'memory', provides: [kvStore] }),
  fake({ name: 'a', deps: [b], provides: [a] }),
  fake({ name: 'b', deps: [a], provides: [b] }),
  fake({ name: 'http', config: { schema: { type: 'object', properties: { address: { type: 'string' } }, additionalProperties: false } } }),
  fake({ name: 'grpc', config: { required: true } }),
];
export const config = { http: { adress: '127.0.0.1:8080' } };

export const expectedError = {
  code: 'RR_ERR_KERNEL_RESOLVE',
  phase: 'resolve',
  messageIncludes: ['10 problems'],
  problems: [
    { code: 'RR_ERR_PLUGIN_INVALID', plugin: undefined, messageIncludes: ['plugin #1 from "rr-plugin-broken" is not a valid rr plugin: expected a plugin object, got number 42'] },
    { code: 'RR_ERR_PLUGIN_INVALID', plugin: 'half', messageIncludes: ['`init` must be a function'] },
    { code: 'RR_ERR_PLUGIN_INVALID', plugin: 'half', messageIncludes: ['`provides[0]` is not a token'] },
    { code: 'RR_ERR_PLUGIN_DUPLICATE', plugin: 'dup', messageIncludes: ['two plugins are named "dup"'] },
    { code: 'RR_ERR_PLUGIN_VERSION_MISMATCH', plugin: 'old' },
    { code: 'RR_ERR_CONFIG_INVALID', plugin: 'http', messageIncludes: ['http.adress'] },
    { code: 'RR_ERR_CONFIG_INVALID', plugin: 'grpc', messageIncludes: ['/srv/app/.rr.yaml: grpc: found nothing, expected a "grpc" section'] },
    { code: 'RR_ERR_DEP_MISSING', plugin: 'jobs', messageIncludes: ['"pool" is disabled'] },
    { code: 'RR_ERR_DEP_DUPLICATE', plugin: 'kv', messageIncludes: ['token "kv.store" is provided by 2 plugins: "kv", "memory"'] },
    { code: 'RR_ERR_DEP_CYCLE', plugin: 'a', messageIncludes: ['"a" -> "b" -> "a"'] },
  ],
};

export const expectedEvents = [];

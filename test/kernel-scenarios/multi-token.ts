import { fake, multiToken, token } from './_harness.js';

const rpcServices = multiToken('rpc.services');
const auditSinks = multiToken('audit.sinks');
const kvStore = token('kv.store');

export const description = 'contributors start after their collector and stop before it; the collector sees every contribution in start order';

export const plugins = [
  fake({ name: 'jobs', deps: [kvStore], contributes: [rpcServices] }),
  fake({ name: 'kv', provides: [kvStore], contributes: [rpcServices, auditSinks] }),
  fake({ name: 'rpc', collects: [rpcServices] }),
];
export const config = {};
export const orderFixedByGraph = true;

export const expectedEvents = [
  'init:rpc', 'init:kv', 'init:jobs',
  'serve:rpc', 'collected:rpc:rpc.services=kv,jobs',
  'serve:kv', 'serve:jobs',
  'drain:jobs', 'drain:kv', 'drain:rpc',
  'stop:jobs', 'stop:kv', 'stop:rpc',
];

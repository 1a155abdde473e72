import { fake, token } from './_harness.js';

const poolFactory = token('pool.factory');

export const description = 'ctx.fatal after ready is logged, reaches onFatal once, and the stop that follows runs in order';

export const plugins = [
  fake({ name: 'pool', provides: [poolFactory] }),
  fake({ name: 'http', deps: [poolFactory], fatalAfterReady: true }),
];
export const config = {};

export const expectedEvents = [
  'init:pool', 'init:http',
  'serve:pool', 'serve:http',
  'fatal:http:RR_ERR_PLUGIN_FATAL',
  'drain:http', 'drain:pool',
  'stop:http', 'stop:pool',
];

export const expectedLogs = [
  { logger: 'endure', level: 'error', msgIncludes: 'E_WORKER_DIED: all workers of http died', fields: { plugin: 'http', phase: 'running', code: 'RR_ERR_PLUGIN_FATAL' } },
];

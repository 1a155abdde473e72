import { fake, token } from './_harness.js';

const serverCmd = token('server.command');
const poolFactory = token('pool.factory');
const metricsRegistry = token('metrics.registry');

export const description = 'init and serve in dependency order; drain and stop in exact reverse';

// Registered backwards on purpose: only the graph decides.
export const plugins = [
  fake({ name: 'http', deps: [poolFactory], optionalDeps: [metricsRegistry] }),
  fake({ name: 'metrics', deps: [poolFactory], provides: [metricsRegistry] }),
  fake({ name: 'pool', deps: [serverCmd], provides: [poolFactory] }),
  fake({ name: 'server', provides: [serverCmd] }),
];
export const config = {};
export const orderFixedByGraph = true;

export const expectedEvents = [
  'init:server', 'init:pool', 'init:metrics',
  'init:http', 'optional:http:metrics.registry=metrics.registry from metrics',
  'serve:server', 'serve:pool', 'serve:metrics', 'serve:http',
  'drain:http', 'drain:metrics', 'drain:pool', 'drain:server',
  'stop:http', 'stop:metrics', 'stop:pool', 'stop:server',
];

export const expectedLogs = [
  { logger: 'endure', level: 'debug', msgIncludes: 'plugin start order', fields: { order: ['server', 'pool', 'metrics', 'http'] } },
];

import { fake, token } from './_harness.js';

const metricsRegistry = token('metrics.registry');
const poolFactory = token('pool.factory');

export const description = 'a plugin without its section is disabled with a reason logged once; optional dependents get undefined';

export const plugins = [
  fake({ name: 'metrics', provides: [metricsRegistry], config: {} }),
  fake({ name: 'pool', provides: [poolFactory], config: {} }),
  // enabled() can veto a plugin even when its section exists.
  fake({ name: 'status', config: {}, enabled: () => ({ enabled: false, reason: 'status.address is empty' }) }),
  fake({ name: 'http', deps: [poolFactory], optionalDeps: [metricsRegistry] }),
];
export const config = { pool: { num_workers: 2 }, status: {} };

export const expectedEvents = [
  'init:pool', 'init:http', 'optional:http:metrics.registry=undefined',
  'serve:pool', 'serve:http',
  'drain:http', 'drain:pool',
  'stop:http', 'stop:pool',
];

export const expectedLogs = [
  { logger: 'endure', level: 'info', msgIncludes: 'plugin "metrics" is disabled: no "metrics" section in /srv/app/.rr.yaml', fields: { plugin: 'metrics' } },
  { logger: 'endure', level: 'info', msgIncludes: 'plugin "status" is disabled: status.address is empty', fields: { plugin: 'status' } },
];

import { fake, token } from './_harness.js';

const poolFactory = token('pool.factory');

export const description = 'a required token whose only provider is disabled is an error naming the chain, not a silent cascade';

export const plugins = [
  fake({ name: 'pool', provides: [poolFactory], config: {} }),
  fake({ name: 'jobs', deps: [poolFactory] }),
];
export const config = {};

export const expectedError = {
  code: 'RR_ERR_KERNEL_RESOLVE',
  phase: 'resolve',
  problems: [{
    code: 'RR_ERR_DEP_MISSING',
    plugin: 'jobs',
    messageIncludes: [
      'plugin "jobs" requires token "pool.factory", but no enabled plugin provides it',
      'Providers seen: "pool" is disabled: no "pool" section in /srv/app/.rr.yaml',
      'Enable "pool", or move the token to optionalDeps of "jobs"',
    ],
  }],
};

export const expectedEvents = [];

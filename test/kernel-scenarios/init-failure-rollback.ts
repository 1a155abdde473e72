import { fake, token } from './_harness.js';

const a = token('a.service');
const b = token('b.service');

export const description = 'an init failure stops what was already initialised, in reverse, and fails with plugin + phase';

export const plugins = [
  fake({ name: 'a', provides: [a] }),
  fake({ name: 'b', deps: [a], provides: [b] }),
  fake({ name: 'c', deps: [b], throwIn: ['init'] }),
  fake({ name: 'd', deps: [b] }),
];
export const config = {};

export const expectedError = {
  code: 'RR_ERR_PLUGIN_INIT',
  plugin: 'c',
  phase: 'init',
  // The plugin's own code stays visible.
  messageIncludes: ['plugin "c" failed in init()', 'E_FAKE_BROKEN: init of c broke'],
};

export const expectedEvents = [
  'init:a', 'init:b', 'init:c',
  'drain:b', 'drain:a',
  'stop:b', 'stop:a',
];

export const expectedLogs = [
  { logger: 'endure', level: 'error', msgIncludes: 'init of c broke', fields: { plugin: 'c', phase: 'init', code: 'RR_ERR_PLUGIN_INIT' } },
];

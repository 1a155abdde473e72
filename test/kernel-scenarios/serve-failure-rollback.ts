import { fake, token } from './_harness.js';

const a = token('a.service');
const b = token('b.service');

export const description = 'a serve failure drains and stops every initialised plugin, served or not, in reverse';

export const plugins = [
  fake({ name: 'a', provides: [a] }),
  fake({ name: 'b', deps: [a], provides: [b], throwIn: ['serve'] }),
  fake({ name: 'c', deps: [b] }),
];
export const config = {};

export const expectedError = {
  code: 'RR_ERR_PLUGIN_SERVE',
  plugin: 'b',
  phase: 'serve',
  messageIncludes: ['E_FAKE_BROKEN: serve of b broke'],
};

export const expectedEvents = [
  'init:a', 'init:b', 'init:c',
  'serve:a', 'serve:b',
  'drain:c', 'drain:b', 'drain:a',
  'stop:c', 'stop:b', 'stop:a',
];

import { fake } from './_harness.js';

export const description = 'a serve() that never reports ready fails at its deadline with RR_ERR_PLUGIN_TIMEOUT; its signal fires and everything is rolled back';

export const plugins = [
  fake({ name: 'db' }),
  fake({ name: 'hung', serveAwaitsSignal: true }),
  fake({ name: 'never' }),
];
export const config = {};
export const startTimeoutMs = 60;

export const expectedError = {
  code: 'RR_ERR_PLUGIN_TIMEOUT',
  plugin: 'hung',
  phase: 'serve',
  messageIncludes: ['plugin "hung" did not finish serve() within 60 ms'],
};

export const expectedEvents = [
  'init:db', 'init:hung', 'init:never',
  'serve:db', 'serve:hung', 'serve-aborted:hung',
  'drain:never', 'drain:hung', 'drain:db',
  'stop:never', 'stop:hung', 'stop:db',
];

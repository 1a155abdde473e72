import { fake, token } from './_harness.js';

const a = token('a.service');
const b = token('b.service');

export const description = 'init that skips a declared token fails with RR_ERR_PROVIDE_MISSING, and that plugin is stopped too';

export const plugins = [
  fake({ name: 'a', provides: [a] }),
  fake({ name: 'b', deps: [a], provides: [b], skipProvide: true }),
  fake({ name: 'c', deps: [b] }),
];
export const config = {};

export const expectedError = {
  code: 'RR_ERR_PROVIDE_MISSING',
  plugin: 'b',
  phase: 'init',
  messageIncludes: ['plugin "b" declares that it provides "b.service"'],
};

export const expectedEvents = ['init:a', 'init:b', 'drain:b', 'drain:a', 'stop:b', 'stop:a'];

import { fake } from './_harness.js';

export const description = 'a slow init gets "still initializing: <name>" progress lines and may still finish in time';

export const plugins = [
  // Its init resolves only once the kernel has logged progress about it: no sleeps involved.
  fake({ name: 'slow', startTimeoutMs: 400, initAwaitsProgressLog: true }),
  fake({ name: 'next' }),
];
export const config = {};

export const expectedEvents = ['init:slow', 'init:next', 'serve:slow', 'serve:next', 'drain:next', 'drain:slow', 'stop:next', 'stop:slow'];

export const expectedLogs = [
  { logger: 'endure', level: 'info', msgIncludes: 'still initializing: slow', fields: { plugin: 'slow', phase: 'init' } },
];

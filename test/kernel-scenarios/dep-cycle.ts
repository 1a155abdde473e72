import { fake, token } from './_harness.js';

const a = token('a.service');
const b = token('b.service');
const c = token('c.service');

export const description = 'every elementary cycle is reported with its full path; nothing is started';

export const plugins = [
  fake({ name: 'a', deps: [b, c], provides: [a] }),
  fake({ name: 'b', deps: [a], provides: [b] }),
  fake({ name: 'c', deps: [b], provides: [c] }),
  fake({ name: 'free' }),
];
export const config = {};

export const expectedError = {
  code: 'RR_ERR_KERNEL_RESOLVE',
  phase: 'resolve',
  messageIncludes: ['2 problems'],
  problems: [
    { code: 'RR_ERR_DEP_CYCLE', plugin: 'a', messageIncludes: ['dependency cycle: "a" -> "b" -> "a" ("a" needs "b.service" from "b"; "b" needs "a.service" from "a")'] },
    { code: 'RR_ERR_DEP_CYCLE', plugin: 'a', messageIncludes: ['"a" -> "c" -> "b" -> "a"'] },
  ],
};

export const expectedEvents = [];

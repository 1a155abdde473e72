import { fake, token } from './_harness.js';

const poolFactory = token('pool.factory');

export const description = 'a provider stops only after every dependent finished stopping; independent dependents overlap';

export const plugins = [
  fake({ name: 'pool', provides: [poolFactory] }),
  // http takes a few event-loop turns to stop; jobs is instant. Both are launched together,
  // and pool waits for the slow one.
  fake({ name: 'http', deps: [poolFactory], stopTicks: 3 }),
  fake({ name: 'jobs', deps: [poolFactory] }),
];
export const config = {};

export const expectedEvents = [
  'init:pool', 'init:http', 'init:jobs',
  'serve:pool', 'serve:http', 'serve:jobs',
  'drain:jobs', 'drain:http', 'drain:pool',
  'stop:jobs', 'stop:http', 'stopped:http', 'stop:pool',
];

import { fake, token } from './_harness.js';

const poolFactory = token('pool.factory');

export const description = 'past endure.grace_period the kernel stops waiting, names who did not finish, and still force-stops the rest';

export const plugins = [
  fake({ name: 'pool', provides: [poolFactory] }),
  fake({ name: 'stuck', deps: [poolFactory], stopAwaitsSignal: true }),
];
export const config = { endure: { grace_period: '50ms' } };

export const expectedStop = { ok: false, unfinished: ['stuck'], errorCodes: ['RR_ERR_GRACE_EXPIRED'] };

export const expectedEvents = [
  'init:pool', 'init:stuck',
  'serve:pool', 'serve:stuck',
  'drain:stuck', 'drain:pool',
  'stop:stuck',
  // The signal fires at the deadline; pool, which was waiting for stuck, is then stopped anyway.
  'stop-aborted:stuck', 'stop:pool',
];

export const expectedLogs = [
  { logger: 'endure', level: 'error', msgIncludes: 'grace period of 50 ms ran out before "stuck"', fields: { code: 'RR_ERR_GRACE_EXPIRED', plugins: ['stuck'] } },
];

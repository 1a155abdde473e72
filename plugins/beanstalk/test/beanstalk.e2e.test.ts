// The beanstalk driver under the real jobs plugin: PHP producers push over RPC, PHP workers consume and
// write a ledger by job id; Debian's beanstalkd on a free port. The cases are the shared driver
// conformance suite; beanstalk has no e2e case of its own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { describeDriverConformance } from '../../jobs/test/driver-conformance.js';
import { beanstalkPlugin } from '../src/plugin.js';
import { startBeanstalkd, type Beanstalkd } from './support/beanstalkd.js';

let bs: Beanstalkd;
beforeAll(async () => {
  bs = await startBeanstalkd();
});
afterAll(async () => {
  await bs?.stop();
});

describeDriverConformance({
  driver: 'beanstalk',
  plugin: beanstalkPlugin,
  pipelineConfig: () => ({ tube: `rr-e2e-${randomUUID().slice(0, 8)}`, reserve_timeout: '1s' }),
  extra: () => ({ beanstalk: { addr: bs.addr } }),
  expectations: {
    exactlyOnce: { jobs: 100, batch: false },
    crash: [{ outcome: 'redelivered' }],
    delay: true,
    timeouts: { exactlyOnce: 20_000, crash: 30_000, requeue: 15_000 },
  },
});

// The sqs driver under the real jobs plugin: PHP producers push over RPC, PHP workers consume and
// write a ledger by job id; fauxqs stands in for SQS. The cases are the shared driver conformance
// suite; sqs has no e2e case of its own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { describeDriverConformance } from '../../jobs/test/driver-conformance.js';
import { sqsPlugin } from '../src/plugin.js';
import { startFauxqs, type Fauxqs } from './support/fauxqs.js';

let sqs: Fauxqs;
beforeAll(async () => {
  sqs = await startFauxqs();
});
afterAll(async () => {
  await sqs?.stop();
});

describeDriverConformance({
  driver: 'sqs',
  plugin: sqsPlugin,
  pipelineConfig: () => ({ queue: `rr-e2e-${randomUUID().slice(0, 8)}`, prefetch: 10 }),
  extra: () => ({ sqs: { key: 'k', secret: 's', region: 'us-east-1', endpoint: sqs.endpoint } }),
  expectations: {
    exactlyOnce: { jobs: 100, batch: false },
    crash: [{ outcome: 'redelivered' }],
    delay: true,
    timeouts: { exactlyOnce: 20_000, crash: 30_000, requeue: 15_000 },
  },
});

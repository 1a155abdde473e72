// The kafka driver under the real jobs plugin: PHP producers push over RPC, PHP workers consume and
// write a ledger by job id; kcat's mock Kafka cluster. The cases are the shared driver conformance
// suite; kafka has no e2e case of its own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { describeDriverConformance } from '../../jobs/test/driver-conformance.js';
import { kafkaPlugin } from '../src/plugin.js';
import { startKafkaMock, type KafkaMock } from './support/kcat-mock.js';

let mock: KafkaMock;
beforeAll(async () => {
  mock = await startKafkaMock();
});
afterAll(async () => {
  await mock?.stop();
});

describeDriverConformance({
  driver: 'kafka',
  plugin: kafkaPlugin,
  pipelineConfig: () => ({
    auto_create_topics_enable: true,
    consumer_options: { topics: [`rr-e2e-${randomUUID().slice(0, 8)}`] },
    group_options: { group_id: `rr-e2e-${randomUUID().slice(0, 8)}`, session_timeout: '6s' },
  }),
  extra: () => ({ kafka: { brokers: [mock.broker] } }),
  expectations: {
    exactlyOnce: { jobs: 100, batch: false },
    crash: [{ outcome: 'redelivered' }],
    // Kafka has no delayed delivery: the requeue delay is not checked.
    delay: false,
    timeouts: { exactlyOnce: 20_000, crash: 30_000, requeue: 15_000 },
  },
});

// The amqp driver under the real jobs plugin: PHP producers push over RPC (rr's PHP library), PHP
// workers consume and write a ledger by job id; RabbitMQ on 127.0.0.1:5672. The cases are the shared
// driver conformance suite; amqp has no e2e case of its own.
import { randomUUID } from 'node:crypto';
import { connect as amqpConnect } from 'amqplib';
import { afterAll } from 'vitest';
import { describeDriverConformance } from '../../jobs/test/driver-conformance.js';
import { amqpPlugin } from '../src/plugin.js';

const ADDR = 'amqp://guest:guest@127.0.0.1:5672';
const RUN = randomUUID().slice(0, 8);
const queues: string[] = [];
const exchange = `rr-e2e-${RUN}`;
afterAll(async () => {
  const conn = await amqpConnect(ADDR);
  const ch = await conn.createChannel();
  for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
  await ch.deleteExchange(exchange).catch(() => undefined);
  await conn.close();
});

describeDriverConformance({
  driver: 'amqp',
  plugin: amqpPlugin,
  // A new queue per call, remembered (with its delay queue) for the cleanup.
  pipelineConfig: () => {
    const queue = `rr-e2e-${RUN}-${queues.length}`;
    queues.push(queue, `delayed-1000.${exchange}.${queue}`);
    return { queue, exchange, routing_key: queue, prefetch: 10 };
  },
  extra: () => ({ amqp: { addr: ADDR } }),
  expectations: {
    exactlyOnce: { jobs: 200, batch: true },
    statQueue: (cfg) => String(cfg['queue']),
    crash: [
      { outcome: 'redelivered', config: { requeue_on_fail: true } },
      { outcome: 'dropped', config: { requeue_on_fail: false }, log: 'not requeued' },
    ],
    delay: true,
    // The unstarted jobs stay in RabbitMQ for the next rr.
    stopWithJobsRunning: { config: { durable: true } },
    timeouts: { exactlyOnce: 15_000, crash: 20_000, requeue: 10_000 },
  },
});

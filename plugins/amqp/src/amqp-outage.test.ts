import { randomUUID } from 'node:crypto';
import { connect as amqpConnect } from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { errorCode } from '@rr/plugin-api';
import type { DeliveredJob } from '@rr/jobs-api';
import { compileAmqpGlobalConfig } from './config.js';
import { createAmqpDriver } from './driver.js';
import type { AmqpPipeline } from './pipeline.js';
import { FaultProxy } from './test-support/fault-proxy.js';
import { Ledger, makeJob, pipelineContext, until } from './test-support/harness.js';

// B-AMQP-OUTAGE (fault-tests row 8), scaled to stay in seconds: driver → fault proxy → RabbitMQ.
const RUN = randomUUID().slice(0, 8);
const queues: string[] = [];

afterAll(async () => {
  const conn = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
  const ch = await conn.createChannel();
  for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
  await ch.deleteExchange(`rr-outage-${RUN}`).catch(() => undefined);
  await conn.close();
});

interface PushResult { id: string; ok: boolean; ms: number; code: string | undefined; message: string }

for (const fault of ['reset', 'blackhole'] as const) {
  describe(`amqp broker outage through a fault proxy (${fault})`, () => {
    it('pushes during the outage fail within jobs.timeout; every confirmed push is acked; consumption resumes after restore', async () => {
      const proxy = await FaultProxy.start({ host: '127.0.0.1', port: 5672 });
      const queue = `rr-outage-${RUN}-${fault}`;
      queues.push(queue);
      const PREFETCH = 10;
      const TIMEOUT_S = 2;
      const global = compileAmqpGlobalConfig({ addr: `amqp://guest:guest@127.0.0.1:${proxy.port}?heartbeat=1`, connect_timeout: '1s' }, process.cwd());
      const ctx = pipelineContext('amqp', { jobs: { timeout: TIMEOUT_S } });
      const pipeline = (await createAmqpDriver(global).open(
        { name: `outage-${fault}`, driver: 'amqp', config: { queue, exchange: `rr-outage-${RUN}`, prefetch: PREFETCH, durable: true } },
        ctx,
      )) as AmqpPipeline;

      const ledger = new Ledger();
      await pipeline.consume((d: DeliveredJob) => {
        ledger.record(d);
        setImmediate(() => {
          d.ack().then(() => ledger.markAcked(d.id), () => undefined); // a stale ack fails: RabbitMQ redelivers
        });
      });

      // Producer: 200 pushes/s, each recorded with its outcome and latency.
      const results: PushResult[] = [];
      const pending = new Set<Promise<void>>();
      let n = 0;
      const pushOne = (): void => {
        const id = `${fault}-${n++}`;
        const t0 = Date.now();
        const p = pipeline.push(makeJob(id, 'outage')).then(
          () => { results.push({ id, ok: true, ms: Date.now() - t0, code: undefined, message: '' }); },
          (err: Error) => { results.push({ id, ok: false, ms: Date.now() - t0, code: errorCode(err), message: err.message }); },
        );
        pending.add(p);
        void p.finally(() => pending.delete(p));
      };
      const producer = setInterval(pushOne, 5);
      try {
        await until(() => ledger.acked.size >= 150, 5_000, 'steady state before the fault');
        const faultAt = Date.now();
        if (fault === 'reset') proxy.resetAll(true);
        else proxy.blackhole();
        await until(() => ctx.logger.records.some((r) => r.msg === 'amqp connection lost, redialing'), 4_000, 'the driver noticing the fault');
        const detectedMs = Date.now() - faultAt;
        // RST is seen at once; a blackhole only through missed heartbeats (heartbeat=1 s: 2 beats).
        expect(detectedMs).toBeLessThan(fault === 'reset' ? 500 : 3_500);
        // Keep the broker away until pushes issued during the outage have failed.
        await until(() => results.some((r) => !r.ok && r.ms >= TIMEOUT_S * 1000 - 100), 5_000, 'a push failing on its deadline');
        const restoredAt = Date.now();
        proxy.pass();
        const ackedAtRestore = ledger.acked.size;
        await until(() => ctx.logger.records.some((r) => r.msg === 'amqp connection restored'), 6_000, 'reconnect');
        await until(() => ledger.acked.size > ackedAtRestore + 50, 6_000, 'consumption resuming');
        // Redial backoff is capped at 2 s and each blackholed dial gives up after connect_timeout (1 s).
        expect(Date.now() - restoredAt).toBeLessThan(2_000 + 1_000 + 2_000);
      } finally {
        clearInterval(producer);
      }
      await Promise.all([...pending]);

      const ok = results.filter((r) => r.ok);
      const failed = results.filter((r) => !r.ok);
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) {
        expect(f.code).toBe('RR_ERR_JOBS_AMQP_PUSH');
        expect(f.message).toMatch(/amqp pipeline "outage-.*": push of job .* failed: /);
        expect(f.ms).toBeLessThan(TIMEOUT_S * 1000 + 500);
      }
      // Every push that returned OK is acked at least once, and the queue drains.
      await until(() => ok.every((r) => ledger.acked.has(r.id)), 10_000, `all ${ok.length} confirmed pushes acked`);
      await until(async () => (await pipeline.state()).active === 0 && (await pipeline.state()).reserved === 0, 5_000, 'queue drained');
      const dups = [...ledger.byId.values()].filter((c) => c > 1).length;
      // Duplicates are the unacked window at the fault (≤ prefetch), plus the few publishes whose confirm
      // was lost with the connection and that were retried (stored twice: at-least-once, never lost).
      expect(dups).toBeLessThanOrEqual(PREFETCH + 5);
      await pipeline.close(AbortSignal.timeout(3_000));
      await proxy.close();
      console.log(`[${fault}] pushes ok=${ok.length} failed=${failed.length} dups=${dups} max-failed-ms=${Math.max(...failed.map((f) => f.ms))}`);
    }, 30_000);
  });
}

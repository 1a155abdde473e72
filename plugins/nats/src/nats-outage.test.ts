import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { errorCode } from '@rr/plugin-api';
import type { DeliveredJob } from '@rr/jobs-api';
import { FaultProxy } from '../../amqp/src/test-support/fault-proxy.js';
import { Ledger, makeJob, pipelineContext, until } from '../../amqp/src/test-support/harness.js';
import { compileNatsGlobalConfig } from './config.js';
import { createNatsDriver } from './driver.js';
import type { NatsPipeline } from './pipeline.js';

// B-NATS (a) (fault-tests row 18, "as row 8"), scaled to seconds: driver → fault proxy → NATS.
const RUN = randomUUID().slice(0, 8);
const streams: string[] = [];

afterAll(async () => {
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const jsm = await nc.jetstreamManager();
  for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
  await nc.close();
});

interface PushResult { id: string; ok: boolean; ms: number; code: string | undefined; message: string; at: number }

for (const fault of ['reset', 'blackhole'] as const) {
  describe(`nats outage through a fault proxy (${fault})`, () => {
    it('pushes during the outage fail within jobs.timeout; every acknowledged push is acked by a worker; consumption resumes', async () => {
      const proxy = await FaultProxy.start({ host: '127.0.0.1', port: 4222 });
      const stream = `rr_outage_${RUN}_${fault}`;
      streams.push(stream);
      const TIMEOUT_S = 2;
      const ctx = pipelineContext('nats', { jobs: { timeout: TIMEOUT_S } });
      const driver = createNatsDriver(compileNatsGlobalConfig({ addr: `nats://127.0.0.1:${proxy.port}`, ping_interval: '1s', connect_timeout: '1s' }));
      const pipeline = (await driver.open(
        { name: `outage_${fault}`, driver: 'nats', config: { stream, subject: `rr.outage.${RUN}.${fault}`, prefetch: 10, ack_wait: '2s' } },
        ctx,
      )) as NatsPipeline;
      const ledger = new Ledger();
      await pipeline.consume((d: DeliveredJob) => {
        ledger.record(d);
        // An ack whose confirmation is lost in the outage may still reach the server (it is buffered and
        // sent on reconnect): count the job as processed either way, and check below that the consumer
        // ends with nothing pending or unacknowledged, so a lost ack would show as a redelivery.
        setImmediate(() => { d.ack().then(() => ledger.markAcked(d.id), () => ledger.markAcked(d.id)); });
      });
      const results: PushResult[] = [];
      const pending = new Set<Promise<void>>();
      let n = 0;
      const producer = setInterval(() => {
        const id = `${fault}-${n++}`;
        const t0 = Date.now();
        const p = pipeline.push(makeJob(id, 'outage')).then(
          () => { results.push({ id, ok: true, ms: Date.now() - t0, code: undefined, message: '', at: t0 }); },
          (err: Error) => { results.push({ id, ok: false, ms: Date.now() - t0, code: errorCode(err), message: err.message, at: t0 }); },
        );
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }, 5);
      try {
        await until(() => ledger.acked.size >= 150, 5_000, 'steady state before the fault');
        const faultAt = Date.now();
        if (fault === 'reset') proxy.resetAll(true);
        else proxy.blackhole();
        await until(() => ctx.logger.records.some((r) => r.msg === 'nats connection lost, reconnecting'), 5_000, 'the client noticing');
        // RST at once; a blackhole through unanswered PINGs (ping_interval 1 s, 2 outstanding).
        expect(Date.now() - faultAt).toBeLessThan(fault === 'reset' ? 500 : 4_000);
        await until(() => results.some((r) => !r.ok), 5_000, 'a push failing on its deadline');
        const restoredAt = Date.now();
        proxy.pass();
        const ackedAtRestore = ledger.acked.size;
        await until(() => ctx.logger.records.some((r) => r.msg === 'nats connection restored'), 6_000, 'reconnect');
        await until(() => ledger.acked.size > ackedAtRestore + 50, 6_000, 'consumption resuming');
        const reconnectedAt = Date.now();
        // Pushes issued once the connection is back succeed again.
        await until(() => results.filter((r) => r.ok && r.at > reconnectedAt).length >= 50, 5_000, '50 pushes after the reconnect');
        // Reconnect attempts every 250 ms; a dial into the blackhole gives up after connect_timeout (1 s).
        expect(Date.now() - restoredAt).toBeLessThan(1_000 + 250 + 2_000);
      } finally {
        clearInterval(producer);
      }
      await Promise.all([...pending]);
      const ok = results.filter((r) => r.ok);
      const failed = results.filter((r) => !r.ok);
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) {
        expect(f.code).toBe('RR_ERR_JOBS_NATS_PUSH');
        expect(f.ms).toBeLessThan(TIMEOUT_S * 1000 + 500);
      }
      await until(() => ok.every((r) => ledger.acked.has(r.id)), 15_000, `all ${ok.length} acknowledged pushes acked`);
      const admin = await connect({ servers: '127.0.0.1:4222' });
      const jsm = await admin.jetstreamManager();
      await until(async () => {
        const info = await jsm.consumers.info(stream, `rr_outage_${fault}`);
        return info.num_pending === 0 && info.num_ack_pending === 0 && (await pipeline.state()).reserved === 0;
      }, 10_000, 'nothing pending or unacknowledged at the server');
      await admin.close();
      const dups = [...ledger.byId.values()].filter((c) => c > 1).length;
      expect(dups).toBeLessThanOrEqual(10 + 5);
      await pipeline.close(AbortSignal.timeout(3_000));
      await proxy.close();
      console.log(`[nats ${fault}] pushes ok=${ok.length} failed=${failed.length} dups=${dups}`);
    }, 40_000);
  });
}

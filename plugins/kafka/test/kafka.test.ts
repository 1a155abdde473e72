import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredJob, Pipeline } from '@rr/jobs-api';
import { openKafkaPipeline } from '../src/pipeline.js';
import { Inbox, eventually, makeJob, recordingLogger, viewOf } from '../../sqs/test/support/harness.js';
import { startKafkaMock, type KafkaMock } from './support/kcat-mock.js';

let mock: KafkaMock;
const open: Pipeline[] = [];

beforeAll(async () => {
  mock = await startKafkaMock();
});
afterAll(async () => {
  await Promise.allSettled(open.map((p) => p.close(AbortSignal.timeout(5_000))));
  await mock?.stop();
});

function config(topic: string, group: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    auto_create_topics_enable: true,
    consumer_options: { topics: [topic], consumer_offset: { type: 'AtStart' } },
    // The mock coordinator waits a departed member's session out before the next join: keep it short.
    ...(group === undefined ? {} : { group_options: { group_id: group, session_timeout: '6s' } }),
    ...extra,
  };
}

async function pipeline(cfg: Record<string, unknown>, opts: { broker?: string; jobsTimeout?: number } = {}) {
  const logger = recordingLogger('kafka');
  const root = viewOf({ kafka: { brokers: [opts.broker ?? mock.broker] }, jobs: { timeout: opts.jobsTimeout ?? 20 } });
  const p = await openKafkaPipeline({ name: 'k1', driver: 'kafka', config: cfg }, { logger, rootConfig: root });
  open.push(p);
  return { p, logger };
}

const unique = (what: string): string => `rr-${what}-${randomUUID().slice(0, 8)}`;

describe('kafka pipeline against the kcat mock cluster', () => {
  it('delivers every pushed job with topic/partition/offset context; group commits follow acks', async () => {
    const topic = unique('t');
    const { p } = await pipeline(config(topic, unique('g')));
    const ids = Array.from({ length: 30 }, (_, i) => `job-${i}`);
    const bin = new Uint8Array([0, 255, 10, 13]);
    for (const id of ids) await p.push(makeJob(id, { headers: { h: [id] }, payload: id === 'job-3' ? bin : new TextEncoder().encode(id) }));
    const inbox = new Inbox();
    await p.consume((j) => {
      inbox.deliver(j);
      j.ack().catch(() => {});
    });
    const got = await inbox.waitFor(30, 20_000);
    expect(got.map((j) => j.id).sort()).toEqual([...ids].sort());
    const j3 = got.find((j) => j.id === 'job-3')!;
    expect([...j3.payload]).toEqual([...bin]);
    expect(j3).toMatchObject({ job: 'App\\Job', headers: { h: ['job-3'] }, priority: 10 });
    expect(j3.context).toMatchObject({ queue: topic, topic });
    expect(typeof j3.context['partition']).toBe('number');
    expect(typeof j3.context['offset']).toBe('number');
    await eventually(async () => (await p.state()).reserved === 0, 5_000, 'all settled');
  }, 40_000);

  it('never commits past an unacked record: a crash with slow jobs running loses nothing (row 17)', async () => {
    const topic = unique('t');
    const group = unique('g');
    const first = await pipeline(config(topic, group, { prefetch: 50 }));
    const ids = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    for (const id of ids) await first.p.push(makeJob(id));
    // The first record of each partition is "slow": held unsettled while later ones are acked.
    const slow = new Map<number, DeliveredJob>();
    const acked = new Set<string>();
    const inbox = new Inbox();
    await first.p.consume((j) => {
      inbox.deliver(j);
      const part = j.context['partition'] as number;
      if (!slow.has(part)) slow.set(part, j);
      else void j.ack().then(() => acked.add(j.id));
    });
    await inbox.waitFor(40, 20_000);
    await eventually(() => acked.size === 40 - slow.size, 5_000, 'later records acked');
    expect(slow.size).toBeGreaterThan(0);
    await first.p.close(AbortSignal.timeout(5_000)); // crash: the slow ones never answered

    const second = await pipeline(config(topic, group, { prefetch: 50 }));
    const again = new Inbox();
    await second.p.consume((j) => {
      again.deliver(j);
      j.ack().catch(() => {});
    });
    const slowIds = [...slow.values()].map((j) => j.id);
    await eventually(() => slowIds.every((id) => again.all.some((j) => j.id === id)), 20_000, 'slow jobs read again');
    // Only records at or after each partition's slow one come back: those a crash left uncommitted.
    for (const j of again.all) {
      const s = slow.get(j.context['partition'] as number)!;
      expect(j.context['offset'] as number).toBeGreaterThanOrEqual(s.context['offset'] as number);
    }
    expect(again.all.length).toBeLessThanOrEqual(40);
    await eventually(async () => (await second.p.state()).reserved === 0, 5_000, 'second run settled');
    await second.p.close(AbortSignal.timeout(5_000));

    // Everything is committed now: a third consumer of the group sees only a new record.
    const third = await pipeline(config(topic, group));
    const last = new Inbox();
    await third.p.push(makeJob('marker'));
    await third.p.consume(last.deliver);
    const [m] = await last.waitFor(1, 20_000);
    expect(m!.id).toBe('marker');
    await m!.ack();
  }, 60_000);

  it('crash nack puts a copy back; requeue keeps headers 3 times (row 33, delay ignored and logged)', async () => {
    const topic = unique('t');
    const { p, logger } = await pipeline(config(topic, unique('g')));
    await p.push(makeJob('rq', { headers: { attempts: ['0'], keep: ['x'] } }));
    const inbox = new Inbox();
    let crashed = false;
    await p.consume((j) => {
      inbox.deliver(j);
      const n = Number(j.headers['attempts']?.[0] ?? '0');
      let settled: Promise<void>;
      if (!crashed) {
        crashed = true;
        settled = j.nack({ requeue: false, message: 'worker killed', workerFailed: true });
      } else if (n < 3) settled = j.requeue({ delaySeconds: 1, headers: { ...j.headers, attempts: [String(n + 1)] } });
      else settled = j.ack();
      settled.catch(() => {});
    });
    const got = await inbox.waitFor(5, 20_000);
    expect(got.map((j) => j.headers['attempts']![0])).toEqual(['0', '0', '1', '2', '3']);
    expect(got.every((j) => j.id === 'rq' && j.headers['keep']![0] === 'x')).toBe(true);
    expect(logger.records.some((r) => r.msg.startsWith('kafka has no delayed delivery'))).toBe(true);
    await eventually(async () => (await p.state()).reserved === 0, 5_000, 'settled');
  }, 40_000);

  it('pushes fail with a clear error within jobs.timeout when the broker is gone', async () => {
    const own = await startKafkaMock();
    try {
      const { p } = await pipeline(config(unique('t'), undefined), { broker: own.broker, jobsTimeout: 3 });
      await p.push(makeJob('ok'));
      await own.stop();
      const t0 = Date.now();
      const err = await p.push(makeJob('lost')).then(() => undefined, (e: unknown) => e as { code?: string; message: string });
      expect(err?.code).toBe('RR_ERR_KAFKA_PUSH');
      expect(err?.message).toMatch(/could not push job lost to topic/);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      await own.stop();
    }
  }, 30_000);
});

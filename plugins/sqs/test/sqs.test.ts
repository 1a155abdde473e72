import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '@rr/jobs-api';
import { openSqsPipeline } from '../src/pipeline.js';
import { sqsPlugin } from '../src/plugin.js';
import { FaultProxy } from './support/fault-proxy.js';
import { startFauxqs, type Fauxqs } from './support/fauxqs.js';
import { Inbox, eventually, expectPauseResume, makeJob, recordingLogger, viewOf, within } from './support/harness.js';

let sqs: Fauxqs;
const open: Pipeline[] = [];

beforeAll(async () => {
  sqs = await startFauxqs();
});
afterAll(async () => {
  await Promise.allSettled(open.map((p) => p.close(AbortSignal.timeout(5_000))));
  await sqs?.stop();
});

function root(endpoint = sqs.endpoint, jobsTimeout = 60): ReturnType<typeof viewOf> {
  return viewOf({ sqs: { key: 'k', secret: 's', region: 'us-east-1', endpoint }, jobs: { timeout: jobsTimeout } });
}

async function pipeline(config: Record<string, unknown> = {}, opts: { endpoint?: string; jobsTimeout?: number } = {}) {
  const logger = recordingLogger('sqs');
  const queue = (config['queue'] as string | undefined) ?? `rr-test-${randomUUID().slice(0, 8)}`;
  const p = await openSqsPipeline({ name: 'p1', driver: 'sqs', config: { queue, ...config } }, { logger, rootConfig: root(opts.endpoint, opts.jobsTimeout) });
  open.push(p);
  return { p, logger, queue };
}

describe('sqs plugin', () => {
  it('is enabled by sqs or jobs', () => {
    expect(sqsPlugin.enabled?.(undefined, viewOf({ jobs: {} }))).toEqual({ enabled: true });
    expect(sqsPlugin.enabled?.(undefined, viewOf({ sqs: {} }))).toEqual({ enabled: true });
    expect(sqsPlugin.enabled?.(undefined, viewOf({ http: {} })).enabled).toBe(false);
  });
});

describe('sqs pipeline against fauxqs', () => {
  it('delivers every pushed job once with its fields, and ack removes it', async () => {
    const { p, queue } = await pipeline({ prefetch: 10, max_messages_in_flight: 10 });
    const ids = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    await Promise.all(ids.map((id) => p.push(makeJob(id, { headers: { attempts: ['1'] }, priority: id === 'job-0' ? 3 : 0 }))));
    const inbox = new Inbox();
    await p.consume((j) => {
      inbox.deliver(j);
      void j.ack();
    });
    const got = await inbox.waitFor(40);
    expect(got.map((j) => j.id).sort()).toEqual([...ids].sort());
    const first = got.find((j) => j.id === 'job-0')!;
    expect(first.job).toBe('App\\Job');
    expect(Buffer.from(first.payload).toString()).toBe('payload-job-0');
    expect(first.headers).toEqual({ attempts: ['1'] });
    expect(first.priority).toBe(3);
    expect(got.find((j) => j.id === 'job-1')!.priority).toBe(10); // 0 inherits the pipeline's
    expect(first.context).toEqual({ queue });
    await eventually(async () => (await p.state()).reserved === 0, 5_000, 'all settled');
    const st = await p.state();
    expect(st).toMatchObject({ driver: 'sqs', queue, ready: true, active: 0 });
  });

  it('keeps binary and empty payloads intact', async () => {
    const { p } = await pipeline();
    const bin = new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x80, 10]);
    await p.push(makeJob('bin', { payload: bin }));
    await p.push(makeJob('empty', { payload: new Uint8Array(0), job: '' }));
    const inbox = new Inbox();
    await p.consume(inbox.deliver);
    const got = await inbox.waitFor(2);
    expect([...got.find((j) => j.id === 'bin')!.payload]).toEqual([...bin]);
    const empty = got.find((j) => j.id === 'empty')!;
    expect(empty.payload.length).toBe(0);
    expect(empty.job).toBe('');
    await Promise.all(got.map((j) => j.ack()));
  });

  it('holds at most max_messages_in_flight unsettled deliveries', async () => {
    const { p } = await pipeline({ max_messages_in_flight: 3 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => p.push(makeJob(`m${i}`))));
    const inbox = new Inbox();
    await p.consume(inbox.deliver);
    await inbox.waitFor(3);
    // Give the receive loop the chance to overreach: one full round trip of state() is enough.
    await p.state();
    await p.state();
    expect(inbox.all.length).toBe(3);
    await inbox.all[0]!.ack();
    await inbox.waitFor(4);
    expect((await p.state()).reserved).toBeLessThanOrEqual(3);
  });

  it('pause stops deliveries (new jobs wait in the queue) and consume resumes them', async () => {
    const { p } = await pipeline({ wait_time_seconds: 1 });
    await expectPauseResume(p, 'SQS');
  });

  it('a crash (close without settling) returns the message; the next consumer gets it', async () => {
    const { p, queue } = await pipeline({ visibility_timeout: 30 });
    await p.push(makeJob('crash-1'));
    const inbox = new Inbox();
    await p.consume(inbox.deliver);
    await inbox.waitFor(1);
    await p.close(AbortSignal.timeout(5_000));
    const { p: p2 } = await pipeline({ queue, visibility_timeout: 30, skip_queue_declaration: true });
    const inbox2 = new Inbox();
    await p2.consume(inbox2.deliver);
    // Visibility was 30 s: arriving well before that proves close() gave it back.
    const [again] = await inbox2.waitFor(1, 5_000);
    expect(again!.id).toBe('crash-1');
    await again!.ack();
  });

  it('nack without retain_failed_jobs puts a copy back; with it the message reappears after error_visibility_timeout', async () => {
    const { p } = await pipeline();
    await p.push(makeJob('n1'));
    const inbox = new Inbox();
    await p.consume(inbox.deliver);
    const [first] = await inbox.waitFor(1);
    await first!.nack({ requeue: false });
    const [, second] = await inbox.waitFor(2);
    expect(second!.id).toBe('n1');
    await second!.ack();

    const { p: r } = await pipeline({ retain_failed_jobs: true, error_visibility_timeout: 1, visibility_timeout: 30 });
    await r.push(makeJob('r1'));
    const rin = new Inbox();
    await r.consume(rin.deliver);
    const [r1] = await rin.waitFor(1);
    const t0 = Date.now();
    await r1!.nack({ requeue: false });
    const [, r2] = await rin.waitFor(2, 8_000);
    expect(r2!.id).toBe('r1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    await r2!.ack();
  });

  it('extends visibility while a job runs longer than visibility_timeout (no duplicate)', async () => {
    const { p } = await pipeline({ visibility_timeout: 2 });
    await p.push(makeJob('long'));
    const inbox = new Inbox();
    await p.consume(inbox.deliver);
    const [job] = await inbox.waitFor(1);
    // The "job" runs 4.5 s: two visibility periods. RoadRunner would deliver it again meanwhile.
    await new Promise((r) => setTimeout(r, 4_500));
    expect(inbox.all.length).toBe(1);
    await job!.ack();
    await eventually(async () => (await p.state()).active === 0, 3_000, 'queue empty');
    expect(inbox.all.length).toBe(1);
  }, 15_000);

  it('requeue keeps headers and delay, 3 times (standard and FIFO queues)', async () => {
    for (const fifo of [false, true]) {
      const { p } = await pipeline(fifo ? { queue: `rr-test-${randomUUID().slice(0, 8)}.fifo`, message_group_id: 'g' } : {});
      await p.push(makeJob('rq', { headers: { attempts: ['0'], keep: ['x'] } }));
      const inbox = new Inbox();
      const t0 = Date.now();
      await p.consume((j) => {
        inbox.deliver(j);
        const n = Number(j.headers['attempts']?.[0] ?? '0');
        const settled = n < 3 ? j.requeue({ delaySeconds: 1, headers: { ...j.headers, attempts: [String(n + 1)] } }) : j.ack();
        settled.catch(() => {}); // a failure shows as a missing delivery below
      });
      const got = await inbox.waitFor(4, 10_000);
      expect(got.map((j) => j.headers['attempts']![0])).toEqual(['0', '1', '2', '3']);
      expect(got.every((j) => j.headers['keep']![0] === 'x' && j.id === 'rq')).toBe(true);
      // FIFO queues take no per-message delay; standard ones honour it.
      if (!fifo) expect(Date.now() - t0).toBeGreaterThanOrEqual(3_000);
      await eventually(async () => (await p.state()).reserved === 0 && (await p.state()).active === 0, 5_000, 'acked');
      await p.pause();
    }
  }, 25_000);

  it('fails pushes within jobs.timeout during an outage and resumes consuming after it', async () => {
    const proxy = await FaultProxy.start('127.0.0.1', sqs.port);
    try {
      const { p, logger } = await pipeline(
        // A long poll cut by the outage may have taken a message whose answer never arrived: a short
        // visibility brings such a message back quickly (SQS semantics, not rr's).
        { wait_time_seconds: 1, visibility_timeout: 2 },
        { endpoint: `http://127.0.0.1:${proxy.port}`, jobsTimeout: 2 });
      const inbox = new Inbox();
      const acks: Promise<void>[] = [];
      await p.consume((j) => {
        inbox.deliver(j);
        acks.push(j.ack());
      });
      await p.push(makeJob('before'));
      await inbox.waitFor(1);
      await acks[0];
      proxy.refuse();
      const t0 = Date.now();
      const err = await p.push(makeJob('during')).then(() => undefined, (e: unknown) => e as { code?: string; message: string });
      expect(err?.code).toBe('RR_ERR_SQS_PUSH');
      expect(err?.message).toMatch(/could not push job during/);
      expect(Date.now() - t0).toBeLessThan(4_000);
      await eventually(() => logger.records.some((r) => r.msg === 'sqs receive failed, retrying'), 5_000, 'receive failure logged');
      proxy.restore();
      await p.push(makeJob('after'));
      const got = await inbox.waitFor(2, 10_000);
      expect(got.map((j) => j.id)).toEqual(['before', 'after']);
      await acks[1];
      // A silent endpoint: receives give up after the long poll + 5 s instead of hanging forever.
      const failuresBefore = logger.records.filter((r) => r.msg === 'sqs receive failed, retrying').length;
      proxy.blackhole();
      await expect(p.push(makeJob('blackholed'))).rejects.toMatchObject({ code: 'RR_ERR_SQS_PUSH' });
      await eventually(() => logger.records.filter((r) => r.msg === 'sqs receive failed, retrying').length > failuresBefore, 10_000, 'silent receive given up');
      proxy.restore();
      await p.push(makeJob('last'));
      await inbox.waitFor(3, 15_000);
      expect(inbox.all.map((j) => j.id)).toContain('last');
      await acks[2];
    } finally {
      await proxy.close();
    }
  }, 45_000);
});

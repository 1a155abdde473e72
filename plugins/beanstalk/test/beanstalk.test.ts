import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '@rr/jobs-api';
import { openBeanstalkPipeline } from '../src/pipeline.js';
import { FaultProxy } from '../../sqs/test/support/fault-proxy.js';
import { Inbox, eventually, expectPauseResume, makeJob, recordingLogger, viewOf } from '../../sqs/test/support/harness.js';
import { startBeanstalkd, type Beanstalkd } from './support/beanstalkd.js';

let bs: Beanstalkd;
const open: Pipeline[] = [];

beforeAll(async () => {
  bs = await startBeanstalkd();
});
afterAll(async () => {
  await Promise.allSettled(open.map((p) => p.close(AbortSignal.timeout(5_000))));
  await bs?.stop();
});

async function pipeline(config: Record<string, unknown> = {}, opts: { addr?: string; timeout?: string; jobsTimeout?: number } = {}) {
  const logger = recordingLogger('beanstalk');
  const tube = (config['tube'] as string | undefined) ?? `rr-test-${randomUUID().slice(0, 8)}`;
  const root = viewOf({ beanstalk: { addr: opts.addr ?? bs.addr, timeout: opts.timeout ?? '30s' }, jobs: { timeout: opts.jobsTimeout ?? 60 } });
  const p = await openBeanstalkPipeline({ name: 'b1', driver: 'beanstalk', config: { tube, reserve_timeout: '1s', ...config } }, { logger, rootConfig: root });
  open.push(p);
  return { p, logger, tube };
}

describe('beanstalk pipeline against beanstalkd', () => {
  it('delivers every pushed job once with its fields; binary payloads intact; ack deletes', async () => {
    const { p, tube } = await pipeline();
    const ids = Array.from({ length: 50 }, (_, i) => `job-${i}`);
    const bin = new Uint8Array([0, 13, 10, 0xff, 0x7b, 10]);
    await Promise.all(ids.map((id) => p.push(makeJob(id, { headers: { h: ['v'] }, payload: id === 'job-7' ? bin : new TextEncoder().encode(id) }))));
    const inbox = new Inbox();
    await p.consume((j) => {
      inbox.deliver(j);
      j.ack().catch(() => {});
    });
    const got = await inbox.waitFor(50);
    expect(got.map((j) => j.id).sort()).toEqual([...ids].sort());
    const j7 = got.find((j) => j.id === 'job-7')!;
    expect([...j7.payload]).toEqual([...bin]);
    expect(j7).toMatchObject({ job: 'App\\Job', headers: { h: ['v'] }, priority: 10, pipeline: 'b1', context: { queue: tube } });
    await eventually(async () => {
      const s = await p.state();
      return s.reserved === 0 && s.active === 0;
    }, 5_000, 'all deleted');
    expect(inbox.all.length).toBe(50);
  });

  it('holds at most prefetch reserved jobs', async () => {
    const { p } = await pipeline({ prefetch: 2 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => p.push(makeJob(`m${i}`))));
    const inbox = new Inbox();
    await p.consume(inbox.deliver);
    await inbox.waitFor(2);
    await eventually(async () => (await p.state()).active === 3, 3_000, '3 left ready');
    expect(inbox.all.length).toBe(2);
    await inbox.all[0]!.ack();
    await inbox.waitFor(3);
  });

  it('a crashed job is released and delivered again, not deleted; a PHP nack without requeue buries', async () => {
    const { p, tube } = await pipeline();
    await p.push(makeJob('crash'));
    const inbox = new Inbox();
    await p.consume(inbox.deliver);
    const [first] = await inbox.waitFor(1);
    await first!.nack({ requeue: false, message: 'worker killed', workerFailed: true });
    const [, again] = await inbox.waitFor(2, 5_000);
    expect(again!.id).toBe('crash');
    await again!.nack({ requeue: false, message: 'php said no' });
    await eventually(async () => (await p.state()).reserved === 0, 3_000, 'settled');
    const { BeanstalkConnection } = await import('../src/connection.js');
    const c = await BeanstalkConnection.open('127.0.0.1', bs.port, 2_000);
    const stats = (await c.send(`stats-tube ${tube}`)).body!.toString();
    c.close();
    expect(stats).toMatch(/current-jobs-buried: 1/);
    expect(inbox.all.length).toBe(2);
  });

  it('pause stops deliveries (new jobs wait in the tube) and consume resumes them', async () => {
    const { p } = await pipeline();
    await expectPauseResume(p, 'the tube');
  });

  it('close without settling releases the job for the next consumer at once', async () => {
    const { p, tube } = await pipeline();
    await p.push(makeJob('held'));
    const inbox = new Inbox();
    await p.consume(inbox.deliver);
    await inbox.waitFor(1);
    await p.close(AbortSignal.timeout(5_000));
    const { p: p2 } = await pipeline({ tube });
    const inbox2 = new Inbox();
    await p2.consume(inbox2.deliver);
    const [again] = await inbox2.waitFor(1, 3_000); // TTR is 30 s: only the release explains this
    expect(again!.id).toBe('held');
    await again!.ack();
  });

  it('touches a job running longer than its TTR: no duplicate', async () => {
    const { p } = await pipeline({}, { timeout: '2s' });
    await p.push(makeJob('long'));
    const inbox = new Inbox();
    await p.consume(inbox.deliver);
    const [job] = await inbox.waitFor(1);
    await new Promise((r) => setTimeout(r, 4_500)); // the "job" runs for two TTRs
    expect(inbox.all.length).toBe(1);
    await job!.ack();
    expect((await p.state()).active).toBe(0);
  }, 15_000);

  it('requeue keeps headers and honours the delay, 3 times', async () => {
    const { p } = await pipeline();
    await p.push(makeJob('rq', { headers: { attempts: ['0'], keep: ['x'] } }));
    const inbox = new Inbox();
    const t0 = Date.now();
    await p.consume((j) => {
      inbox.deliver(j);
      const n = Number(j.headers['attempts']?.[0] ?? '0');
      const settled = n < 3 ? j.requeue({ delaySeconds: 1, headers: { ...j.headers, attempts: [String(n + 1)] } }) : j.ack();
      settled.catch(() => {});
    });
    const got = await inbox.waitFor(4, 10_000);
    expect(got.map((j) => j.headers['attempts']![0])).toEqual(['0', '1', '2', '3']);
    expect(got.every((j) => j.id === 'rq' && j.headers['keep']![0] === 'x')).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3_000);
    await eventually(async () => {
      const s = await p.state();
      return s.active === 0 && s.delayed === 0 && s.reserved === 0;
    }, 3_000, 'acked');
  }, 20_000);

  it('fails pushes within jobs.timeout during an outage and resumes after it', async () => {
    const proxy = await FaultProxy.start('127.0.0.1', bs.port);
    try {
      const { p, logger } = await pipeline({}, { addr: `tcp://127.0.0.1:${proxy.port}`, jobsTimeout: 2 });
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
      expect(err?.code).toBe('RR_ERR_BEANSTALK_PUSH');
      expect(err?.message).toMatch(/could not push job during .* within 2000 ms/);
      expect(Date.now() - t0).toBeLessThan(3_000);
      await eventually(() => logger.records.some((r) => r.msg === 'beanstalk reserve failed, retrying'), 5_000, 'reserve failure logged');
      proxy.blackhole();
      const t1 = Date.now();
      await expect(p.push(makeJob('blackholed'))).rejects.toMatchObject({ code: 'RR_ERR_BEANSTALK_PUSH' });
      expect(Date.now() - t1).toBeLessThan(3_000);
      proxy.restore();
      await p.push(makeJob('after'));
      const got = await inbox.waitFor(2, 10_000);
      expect(got.map((j) => j.id)).toEqual(['before', 'after']);
      await acks[1];
      await eventually(() => logger.records.some((r) => r.msg === 'beanstalk reserve works again'), 5_000, 'recovery logged');
    } finally {
      await proxy.close();
    }
  }, 30_000);
});

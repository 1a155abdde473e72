// The nats driver under the real jobs plugin: PHP producers push over RPC, PHP workers consume and
// write a ledger by job id; NATS JetStream on 127.0.0.1:4222. The common cases are the shared driver
// conformance suite; a PHP nack (Term) is nats's own.
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { doneCounts, startJobsRr, type JobsTestRr } from '../../jobs/src/test-kernel.js';
import { describeDriverConformance } from '../../jobs/test/driver-conformance.js';
import { natsPlugin } from '../src/plugin.js';

const ADDR = 'nats://127.0.0.1:4222';
const RUN = randomUUID().slice(0, 8);
const streams: string[] = [];
const open: JobsTestRr[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((r) => r.close())); });
afterAll(async () => {
  const nc = await connect({ servers: '127.0.0.1:4222' });
  const jsm = await nc.jetstreamManager();
  for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
  await nc.close();
});

/** A new stream and subject per call, remembered for the cleanup. */
function pipelineConfig(): Record<string, unknown> {
  const n = streams.length + 1;
  const stream = `rr_e2e_${RUN}_${n}`;
  streams.push(stream);
  return { stream, subject: `rr.e2e.${RUN}.${n}`, prefetch: 10 };
}

describeDriverConformance({
  driver: 'nats',
  plugin: natsPlugin,
  pipelineConfig,
  extra: () => ({ nats: { addr: ADDR } }),
  expectations: {
    exactlyOnce: { jobs: 200, batch: true },
    statQueue: (cfg) => String(cfg['subject']),
    // A worker crash is a Nak: JetStream redelivers.
    crash: [{ outcome: 'redelivered' }],
    delay: true,
    stopWithJobsRunning: {},
    timeouts: { exactlyOnce: 15_000, crash: 20_000, requeue: 10_000 },
  },
});

describe('jobs on nats with PHP workers', () => {
  it('a PHP nack terminates (Term): delivered once while 100 jobs behind it are acked, logged as terminated', async () => {
    const r = await startJobsRr(
      { consume: ['p'], pipelines: { p: { driver: 'nats', config: pipelineConfig() } } },
      { drivers: [natsPlugin], numWorkers: 2, extra: { nats: { addr: ADDR } } },
    );
    open.push(r);
    // The nacked job goes first: a wrong Nak would bring it back while the 100 others still run.
    await r.php([
      { op: 'push', pipeline: 'p', name: 'nack', id: 'nacked' },
      { op: 'pushMany', pipeline: 'p', name: 'ok', count: 100, prefix: 'ok' },
    ]);
    const l = await r.until((x) => doneCounts(x).size >= 101, 20_000);
    await r.until(() => r.logs.some((x) => String(x.msg).includes('terminated') && x.fields?.['id'] === 'nacked'));
    expect([...doneCounts(l).values()].every((c) => c === 1)).toBe(true);
    expect(r.ledger().filter((e) => e.id === 'nacked' && e.event === 'start')).toHaveLength(1);
  });
});

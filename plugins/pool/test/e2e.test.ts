// End to end: a real `rr serve` (packages/cli/dist, so run `pnpm build` first) with the echo-pool
// fixture plugin owning a pool of real PHP workers. What matters here is that no PHP process
// outlives rr, however rr ends.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixturesDir, killAllRr, startRr, tempDir, type RrProcess } from '../../../test/helpers/rr-process.js';
import { alive, testWorker, waitGone } from './helpers.js';

const fixture = join(fixturesDir, 'plugins/echo-pool.mjs');
const jsonLogs = ['-o', 'logs.mode=production', '-o', 'logs.output=stdout'];
const cleanups: Array<() => void> = [];
afterEach(() => {
  killAllRr();
  for (const c of cleanups.splice(0)) c();
});

function app(relay: string, echoPool: string): string {
  const t = tempDir({
    '.rr.yaml': [
      'version: "3"',
      `plugins: ["${fixture}"]`,
      'server:',
      `  command: "php ${testWorker}"`,
      `  relay: "${relay}"`,
      'echo_pool:',
      echoPool,
      '',
    ].join('\n'),
  });
  cleanups.push(t.cleanup);
  return t.path('.rr.yaml');
}

async function workerPids(rr: RrProcess): Promise<number[]> {
  const line = await rr.waitFor(/"msg":"echo_pool ready"/);
  return (JSON.parse(line) as { pids: number[] }).pids;
}

describe.each([['pipes'], ['tcp://127.0.0.1:0']])('rr serve with %s workers', (relay) => {
  it('SIGTERM: stops the workers gracefully, exits 0, leaves no PHP process', async () => {
    const rr = startRr(['serve', '-c', app(relay, '  pool:\n    num_workers: 3'), ...jsonLogs]);
    const pids = await workerPids(rr);
    expect(pids).toHaveLength(3);
    expect(pids.every(alive)).toBe(true);
    await rr.waitFor(/RoadRunner server started/);
    rr.kill('SIGTERM');
    expect(await rr.exited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(rr.stdout()).toContain('"logger":"server","msg":"destroy signal received"');
  });

  it('SIGKILL: every worker dies with rr within 3 s, the one busy in a request included', async () => {
    const rr = startRr(['serve', '-c', app(relay, '  pool:\n    num_workers: 3\n  busy: "hang"'), ...jsonLogs]);
    const pids = await workerPids(rr);
    // The busy worker has the request: it says so on STDERR, which rr logs as "server".
    await rr.waitFor(/"logger":"server","msg":"hanging forever/);
    rr.kill('SIGKILL');
    await rr.exited;
    expect(await waitGone(pids, 3_000)).toEqual([]);
  });
});

describe('rr serve startup failures', () => {
  it('exits 1 with the worker\'s STDERR when the first workers cannot boot', async () => {
    const rr = startRr(['serve', '-c', app('pipes', '  pool:\n    num_workers: 2'), ...jsonLogs], { env: { TEST_BOOT: 'exit' } });
    expect(await rr.exited).toBe(1);
    expect(rr.stderr()).toContain('RR_ERR_POOL_BOOT');
    expect(rr.stderr()).toContain('missing config /etc/app.ini');
    expect(rr.stdout()).not.toContain('RoadRunner server started');
  });
});

// rr reset / rr workers against a real `rr serve` whose echo_pool fixture owns real PHP workers
// (built on rr's PHP library), plus a worker calling the RPC server itself through RR_RPC.
// Uses packages/cli/dist: run `pnpm build` first.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcClient } from '@rr/goridge';
import { fixturesDir, killAllRr, runRr, startRr, tempDir, type RrProcess } from '../helpers/rr-process.js';

const echoPool = join(fixturesDir, 'plugins/echo-pool.mjs');
const worker = join(fixturesDir, 'php/rpc-worker.php');
const jsonLogs = ['-o', 'logs.mode=production', '-o', 'logs.output=stdout'];
const GO_LOG = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /;

const cleanups: Array<() => void> = [];
afterEach(() => {
  killAllRr();
  for (const c of cleanups.splice(0)) c();
});

function app(): { config: string; socket: string } {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const socket = t.path('rpc.sock');
  writeFileSync(t.path('.rr.yaml'), [
    'version: "3"',
    `plugins: ["${echoPool}"]`,
    'rpc:',
    `  listen: unix://${socket}`,
    'server:',
    `  command: "php ${worker}"`,
    'echo_pool:',
    '  pool:',
    '    num_workers: 2',
    '',
  ].join('\n'));
  return { config: t.path('.rr.yaml'), socket };
}

async function serve(config: string): Promise<{ rr: RrProcess; pids: number[] }> {
  const rr = startRr(['serve', '-c', config, ...jsonLogs]);
  const ready = await rr.waitFor(/"msg":"echo_pool ready"/);
  await rr.waitFor(/RoadRunner server started/);
  return { rr, pids: ((JSON.parse(ready) as { pids: number[] }).pids).sort((a, b) => a - b) };
}

/** PIDs in the first column of the workers table. */
function tablePids(stdout: string): number[] {
  return [...stdout.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('rr workers / rr reset with real PHP workers', () => {
  it('lists the pool\'s workers, and reset replaces them with new processes', async () => {
    const a = app();
    const { pids } = await serve(a.config);
    expect(pids).toHaveLength(2);

    const before = await runRr(['workers', '-c', a.config]);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('Workers of [echo_pool]:');
    expect(tablePids(before.stdout)).toEqual(pids);
    expect(before.stdout).toMatch(/\| \d+ +\| ready +\| 0 +\| \d+(\.\d)? [kM]B +\| \d+\.\d\d +\| (now|\d+ seconds? ago) +\|/);

    const reset = await runRr(['reset', '-c', a.config]);
    expect(reset.code).toBe(0);
    expect(reset.stderr.trimEnd().split('\n').map((l) => l.replace(GO_LOG, ''))).toEqual([
      'resetting plugin: [echo_pool] ',
      'plugin reset: [echo_pool]',
    ]);

    const after = tablePids((await runRr(['workers', 'echo_pool', '-c', a.config])).stdout);
    expect(after).toHaveLength(2);
    expect(after.filter((p) => pids.includes(p))).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);

    const silent = await runRr(['reset', '-s', '-c', a.config]);
    expect(silent).toEqual({ code: 0, stdout: '', stderr: '' });
    const third = tablePids((await runRr(['workers', '-c', a.config])).stdout);
    expect(third).toHaveLength(2);
    expect(third.filter((p) => after.includes(p))).toEqual([]);
  });

  it('a PHP worker reaches the RPC server through RR_RPC and sees the pool; execs are counted', async () => {
    const a = app();
    const { pids } = await serve(a.config);
    const client = await RpcClient.connect(`unix://${a.socket}`);
    try {
      const reply = await client.callJson<{ context: string; body: string }>('echo.Exec', 'informer');
      const seen = JSON.parse(reply.body) as { self: number; pids: number[]; rpc: string };
      expect(seen.rpc).toBe(`unix://${a.socket}`);
      expect(pids).toContain(seen.self);
      expect(seen.pids).toEqual(pids);

      expect(await client.callJson('echo.Exec', { context: 'ctx', body: 'hello' })).toEqual({ context: 'ctx', body: 'hello' });
      const info = await client.callJson<{ workers: Array<{ pid: number; numExecs: number; statusStr: string; memoryUsage: number }> }>('informer.Workers', 'echo_pool');
      expect(info.workers.reduce((n, w) => n + w.numExecs, 0)).toBe(2);
      expect(info.workers.every((w) => w.statusStr === 'ready' && w.memoryUsage > 0)).toBe(true);
    } finally {
      client.close();
    }
  });
});

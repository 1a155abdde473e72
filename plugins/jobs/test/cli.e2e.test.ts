// End to end against a real `rr serve` (packages/cli/dist: run `pnpm build` or
// `pnpm exec tsc -b packages/cli` first): `rr jobs`, `rr workers` with its jobs table, status /jobs,
// and a PHP producer feeding PHP workers through the built binary.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllRr, runRr, startRr, tempDir } from '../../../test/helpers/rr-process.js';
import { doneCounts, phpAutoload, producerScript, runPhp, workerScript, type LedgerEntry } from '../src/test-kernel.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const cleanups: Array<() => void> = [];
afterEach(() => {
  killAllRr();
  for (const c of cleanups.splice(0)) c();
});

function app() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const rpc = `unix://${t.path('rpc.sock')}`;
  const yaml = [
    'version: "3"',
    `rpc: { listen: "${rpc}" }`,
    'server:',
    `  command: "php ${workerScript} ${phpAutoload}"`,
    `  env: { RR_LEDGER: "${t.path('ledger.jsonl')}", RR_RELEASE_DIR: "${t.dir}" }`,
    'status: { address: "127.0.0.1:0" }',
    'logs: { mode: production, output: stdout }',
    'jobs:',
    '  consume: [alpha]',
    '  pool: { num_workers: 2 }',
    '  pipelines:',
    '    alpha: { driver: memory, config: { priority: 5 } }',
    '    beta: { driver: memory, config: {} }',
    '',
  ].join('\n');
  writeFileSync(t.path('.rr.yaml'), yaml);
  const ledger = (): LedgerEntry[] => (existsSync(t.path('ledger.jsonl')) ? readFileSync(t.path('ledger.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerEntry) : []);
  return { config: t.path('.rr.yaml'), rpc, ledger };
}


describe('rr serve with the jobs plugin', () => {
  it('rr jobs --list/--pause/--resume/--destroy, rr workers, status /jobs, PHP push → PHP workers', async () => {
    const a = app();
    const rr = startRr(['serve', '-c', a.config]);
    const statusPort = (JSON.parse(await rr.waitFor(/"msg":"status server started"/)) as { port: number }).port;
    await rr.waitFor(/RoadRunner server started/);
    const cli = (...args: string[]) => runRr([...args, '-c', a.config]);

    const list = await cli('jobs', '--list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/PIPELINE\(S\)/);
    expect(list.stdout).toMatch(/alpha/);
    expect(list.stdout).toMatch(/beta/);

    const paused = await cli('jobs', '--pause', 'alpha');
    expect(paused).toMatchObject({ code: 0 });
    expect(paused.stdout).toMatch(/alpha/);

    const res = await runPhp(producerScript, [phpAutoload, JSON.stringify([{ op: 'pushMany', pipeline: 'alpha', name: 'ok', count: 50 }, { op: 'isPaused', pipeline: 'alpha' }, { op: 'stat' }])], { RR_RPC: a.rpc });
    expect(res.code).toBe(0);
    const [, isPaused, stats] = JSON.parse(res.stdout) as [number, boolean, Array<Record<string, unknown>>];
    expect(isPaused).toBe(true);
    expect(stats.find((s) => s['pipeline'] === 'alpha')).toMatchObject({ ready: false, active: 50, priority: 5 });
    expect(a.ledger()).toEqual([]);

    const workers = await cli('workers');
    expect(workers.code).toBe(0);
    expect(workers.stdout).toMatch(/Workers of \[jobs\]/);
    expect(workers.stdout).toMatch(/Jobs of \[jobs\]/);
    expect(workers.stdout).toMatch(/PAUSED\/STOPPED\s*\|\s*alpha\s*\|\s*memory\s*\|\s*alpha\s*\|\s*50/);

    const status = await fetch(`http://127.0.0.1:${statusPort}/jobs`);
    expect(status.status).toBe(200);
    const body = await status.json() as Array<Record<string, unknown>>;
    expect(body.find((p) => p['pipeline'] === 'beta')).toEqual({ pipeline: 'beta', priority: 10, ready: false, queue: 'beta', active: 0, delayed: 0, reserved: 0, driver: 'memory', error_message: '' });

    expect((await cli('jobs', '--resume', 'alpha')).code).toBe(0);
    const start = Date.now();
    while (doneCounts(a.ledger()).size < 50 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 20));
    const counts = doneCounts(a.ledger());
    expect(counts.size).toBe(50);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);

    const destroyed = await cli('jobs', '--destroy', 'alpha,beta');
    expect(destroyed.code).toBe(0);
    expect((await cli('jobs', '--list')).stdout).not.toMatch(/alpha|beta/);
    const bad = await cli('jobs', '--pause', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no such pipeline: nope/);
    const usage = await cli('jobs');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/command should be in form of/);

    rr.kill('SIGTERM');
    expect(await rr.exited).toBe(0);
  });
});

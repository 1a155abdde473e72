import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixturesDir, killAllRr, runRr, startRr, tempDir, type RrProcess } from '../helpers/rr-process.js';

const fake = join(fixturesDir, 'plugins/fake-workers.mjs');
const cleanups: Array<() => void> = [];
afterEach(() => { killAllRr(); for (const c of cleanups.splice(0)) c(); });

const GO_LOG = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /;

/** A config dir whose .rr.yaml has rpc on a unix socket inside it (no port clashes in parallel runs). */
function app(extra = '  base_pid: 40000', rpc = true): { dir: string; config: string; socket: string } {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const socket = t.path('rpc.sock');
  const yaml = `version: "3"\nplugins: ["${fake}"]\n${rpc ? `rpc:\n  listen: unix://${socket}\n` : ''}fake_workers:\n${extra}\n`;
  writeFileSync(t.path('.rr.yaml'), yaml);
  return { dir: t.dir, config: t.path('.rr.yaml'), socket };
}

async function serve(config: string, ...args: string[]): Promise<RrProcess> {
  const rr = startRr(['serve', '-c', config, ...args]);
  await rr.waitFor(/RoadRunner server started/);
  return rr;
}

/** PIDs in the first column of a workers table. */
function pids(stdout: string): number[] {
  return [...stdout.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
}

describe('rr workers / rr reset against rr serve', () => {
  it('shows the workers table and resets, after which the pids differ', async () => {
    const a = app();
    await serve(a.config);
    const before = await runRr(['workers', '-c', a.config]);
    expect(before.code).toBe(0);
    expect(before.stderr).toBe('');
    expect(before.stdout).toContain('Workers of [fake_workers]:');
    expect(before.stdout).toMatch(/\|\s+PID\s+\|\s+STATUS\s+\|\s+EXECS\s+\|\s+MEMORY\s+\|\s+CPU%\s+\|\s+CREATED\s+\|/);
    expect(before.stdout).toMatch(/\| 40000 +\| working +\| 1,234 +\| 32 MB +\| 1\.50 +\| 1 minute ago +\|/);
    expect(pids(before.stdout)).toEqual([40000, 40001]);

    const reset = await runRr(['reset', '-c', a.config]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toBe('');
    const lines = reset.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(GO_LOG);
    expect(lines[0]!.replace(GO_LOG, '')).toBe('resetting plugin: [fake_workers] ');
    expect(lines[1]!.replace(GO_LOG, '')).toBe('plugin reset: [fake_workers]');

    const after = await runRr(['workers', 'fake_workers', '-c', a.config]);
    expect(pids(after.stdout)).toEqual([40100, 40101]);
  });

  it('reset -s writes nothing at all on success (Laravel Octane treats stderr as failure)', async () => {
    const a = app();
    await serve(a.config);
    const reset = await runRr(['reset', '-s', '-c', a.config]);
    expect(reset).toEqual({ code: 0, stdout: '', stderr: '' });
    const after = await runRr(['workers', '-c', a.config]);
    expect(pids(after.stdout)).toEqual([40100, 40101]);
  });

  it('finds the server through -o rpc.listen alone, as Octane calls it', async () => {
    const a = app();
    await serve(a.config);
    const octane = tempDir({ '.rr.yaml': '' });
    cleanups.push(octane.cleanup);
    const reset = await runRr(['reset', '-o', 'version=3', '-o', `rpc.listen=unix://${a.socket}`, '-s'], { cwd: octane.dir });
    expect(reset).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('exits 1 and reports the error (even with -s) when a reset fails', async () => {
    const a = app('  fail_reset: true');
    await serve(a.config);
    const reset = await runRr(['reset', '-s', '-c', a.config]);
    expect(reset.code).toBe(1);
    expect(reset.stderr).toMatch(GO_LOG);
    expect(reset.stderr).toContain('failed to reset plugin [fake_workers]: fake_workers was told to fail its reset');
  });

  it('exits 1 for an unknown plugin name', async () => {
    const a = app();
    await serve(a.config);
    const reset = await runRr(['reset', 'nosuch', '-c', a.config]);
    expect(reset.code).toBe(1);
    expect(reset.stderr).toContain('no such plugin: nosuch');
  });

  it('workers -i redraws until SIGINT, then exits 0', async () => {
    const a = app();
    await serve(a.config);
    const watch = startRr(['workers', '-i', '-c', a.config]);
    await watch.waitFor(/Workers of \[fake_workers\]/);
    watch.kill('SIGINT');
    expect(await watch.exited).toBe(0);
    expect(watch.stdout()).toContain('\u001b[2J');
  });
});

describe('rr reset / rr workers without a reachable server', () => {
  it('requires an rpc section, with RoadRunner\'s text', async () => {
    const a = app('  base_pid: 1', false);
    const r = await runRr(['reset', '-c', a.config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RR_ERR_CLI_RPC_NOT_CONFIGURED');
    expect(r.stderr).toContain('rpc service not specified in the configuration. Tip: add');
  });

  it('applies no default listen address', async () => {
    const t = tempDir({ '.rr.yaml': 'version: "3"\nrpc: {}\n' });
    cleanups.push(t.cleanup);
    const r = await runRr(['workers', '-c', t.path('.rr.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid socket DSN (tcp://:6001, unix://file.sock)');
  });

  it('names the address and hints at rr serve when nothing listens', async () => {
    const a = app();
    const r = await runRr(['reset', '-c', a.config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RR_ERR_CLI_RPC_CONNECT');
    expect(r.stderr).toContain(`unix://${a.socket}`);
    expect(r.stderr).toContain('is "rr serve" running');
  });

  it('requires a version string, like serve', async () => {
    const t = tempDir({ '.rr.yaml': 'rpc:\n  listen: tcp://127.0.0.1:1\n' });
    cleanups.push(t.cleanup);
    const r = await runRr(['reset', '-c', t.path('.rr.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rr configuration file should contain a version e.g: version: 3');
  });
});

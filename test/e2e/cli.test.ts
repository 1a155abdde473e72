import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixturesDir, killAllRr, repoRoot, runRr, startRr, tempDir } from '../helpers/rr-process.js';

const probe = join(fixturesDir, 'plugins/probe.mjs');
const jsonLogs = ['-o', 'logs.mode=production', '-o', 'logs.output=stdout'];
const cleanups: Array<() => void> = [];
afterEach(() => { killAllRr(); for (const c of cleanups.splice(0)) c(); });

function probeApp(probeSection: string, extra = ''): string {
  const t = tempDir({ '.rr.yaml': `version: "3"\nplugins: ["${probe}"]\nprobe:\n${probeSection}\n${extra}` });
  cleanups.push(t.cleanup);
  return t.path('.rr.yaml');
}

/** The `msg` of every JSON log line, in order. */
function messages(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);
}

describe('rr CLI', () => {
  it('prints the version in the form Octane and version-checker parse', async () => {
    const { code, stdout } = await runRr(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^rr version \d{4}\.\d+\.\d+ \(build time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000, node v\d+\.\d+\.\d+\), OS: linux, arch: \w+\n$/);
    expect(stdout.split(' ')[2]).toMatch(/^20\d\d\./);
  });

  it('prints help with no command and exits 0', async () => {
    const { code, stdout } = await runRr([]);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage:');
  });

  it('rejects an unknown command and an unknown flag with exit 2', async () => {
    const unknown = await runRr(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const flag = await runRr(['serve', '--frobnicate']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/frobnicate/);
  });

  it('starts plugins in dependency order and stops them in reverse on SIGTERM', async () => {
    const rr = startRr(['serve', '-c', probeApp('  fail_in: none'), ...jsonLogs]);
    await rr.waitFor(/RoadRunner server started; version: /);
    rr.kill('SIGTERM');
    await rr.waitFor(/stop signal received, grace timeout is: 30 seconds/);
    expect(await rr.exited).toBe(0);
    const probeLines = messages(rr.stdout()).filter((m) => m.startsWith('probe'));
    expect(probeLines).toEqual([
      'probe init', 'probe_client init', 'probe serving', 'probe_client serving',
      'probe draining', 'probe_client stopped', 'probe stopping', 'probe stopped',
    ]);
  });

  it('forces exit 1 on a second signal while stopping', async () => {
    const rr = startRr(['serve', '-c', probeApp('  hang_stop: true'), ...jsonLogs]);
    await rr.waitFor(/RoadRunner server started/);
    rr.kill('SIGINT');
    await rr.waitFor(/"msg":"probe stopping"/);
    rr.kill('SIGTERM');
    await rr.waitFor(/^exit forced$/);
    expect(await rr.exited).toBe(1);
    expect(messages(rr.stdout())).not.toContain('probe stopped');
  });

  it('exits 1 naming the plugin when the grace period runs out', async () => {
    const rr = startRr(['serve', '-c', probeApp('  hang_stop: true', 'endure:\n  grace_period: 200ms'), ...jsonLogs]);
    await rr.waitFor(/RoadRunner server started/);
    rr.kill('SIGTERM');
    await rr.waitFor(/grace timeout is: 0 seconds/);
    expect(await rr.exited).toBe(1);
    expect(rr.stderr()).toContain('RR_ERR_GRACE_EXPIRED');
    expect(rr.stderr()).toContain('probe');
  });

  it('rolls back and exits 1 when a plugin fails in init', async () => {
    const { code, stdout, stderr } = await runRr(['serve', '-c', probeApp('  fail_in: init'), ...jsonLogs]);
    expect(code).toBe(1);
    expect(stderr).toContain('RR_ERR_PLUGIN_INIT');
    expect(stderr).toContain('probe was told to fail in init');
    expect(stdout).not.toContain('RoadRunner server started');
  });

  it('stops what started, in reverse, when a plugin fails in serve', async () => {
    const { code, stdout, stderr } = await runRr(['serve', '-c', probeApp('  fail_in: serve'), ...jsonLogs]);
    expect(code).toBe(1);
    expect(stderr).toContain('RR_ERR_PLUGIN_SERVE');
    const probeLines = messages(stdout).filter((m) => m.startsWith('probe'));
    expect(probeLines.indexOf('probe_client stopped')).toBeLessThan(probeLines.indexOf('probe stopped'));
    expect(probeLines).not.toContain('probe_client serving');
  });

  it('shuts down in order and exits 1 on a fatal error after start', async () => {
    const rr = startRr(['serve', '-c', probeApp('  fatal_after_serve: true'), ...jsonLogs]);
    expect(await rr.exited).toBe(1);
    expect(rr.stderr()).toContain('probe fatal after serve');
    const probeLines = messages(rr.stdout()).filter((m) => m.startsWith('probe'));
    expect(probeLines.slice(-3)).toEqual(['probe_client stopped', 'probe stopping', 'probe stopped']);
  });

  it('writes .pid in the config directory with -p', async () => {
    const config = probeApp('  fail_in: none');
    const rr = startRr(['serve', '-c', config, '-p', ...jsonLogs]);
    await rr.waitFor(/RoadRunner server started/);
    const pidFile = join(config, '..', '.pid');
    expect(existsSync(pidFile)).toBe(true);
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(rr.child.pid);
    rr.kill('SIGTERM');
    expect(await rr.exited).toBe(0);
  });

  it('reports a config error with the file and RoadRunner\'s message', async () => {
    const t = tempDir({ '.rr.yaml': 'version: 3\n' });
    cleanups.push(t.cleanup);
    const { code, stderr } = await runRr(['serve', '-c', t.path('.rr.yaml')]);
    expect(code).toBe(1);
    expect(stderr).toContain('version should be a string: `version: "3"`, actual type is: int');
  });
});

describe('third-party plugins from npm', () => {
  const app = join(repoRoot, 'examples/app/.rr.yaml');

  it('lists the example package with its version, source and position', async () => {
    const { code, stdout } = await runRr(['plugins', 'list', '-c', app, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { order: string[]; plugins: Array<{ name: string; packageName: string; packageVersion: string; source: string; enabled: boolean; position?: number; requires: string[]; provides: string[] }> };
    const hello = report.plugins.find((p) => p.name === 'hello')!;
    const audit = report.plugins.find((p) => p.name === 'hello_audit')!;
    expect(hello).toMatchObject({ packageName: 'rr-plugin-hello', packageVersion: '1.0.0', source: 'external', enabled: true, provides: ['hello.greeter'] });
    expect(audit).toMatchObject({ enabled: true, requires: ['hello.greeter'] });
    expect(hello.position!).toBeLessThan(audit.position!);
    expect(report.order.indexOf('hello')).toBeLessThan(report.order.indexOf('hello_audit'));
  });

  it('prints a table and a DOT graph', async () => {
    const table = await runRr(['plugins', 'list', '-c', app]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/hello_audit\s+enabled\s+rr-plugin-hello@1\.0\.0\s+external/);
    const graph = await runRr(['plugins', 'graph', '-c', app]);
    expect(graph.stdout).toMatch(/^digraph/);
    expect(graph.stdout).toMatch(/"hello" -> "hello_audit"/);
  });

  it('starts and stops the example plugins in order', async () => {
    const rr = startRr(['serve', '-c', app, ...jsonLogs, '-o', 'hello.name=CI']);
    await rr.waitFor(/RoadRunner server started/);
    await rr.waitFor(/"msg":"Hello, CI!"/);
    rr.kill('SIGTERM');
    expect(await rr.exited).toBe(0);
    const lines = messages(rr.stdout());
    expect(lines.indexOf('hello plugin serving')).toBeLessThan(lines.indexOf('Hello, CI!'));
    expect(lines.indexOf('hello_audit stopped')).toBeLessThan(lines.indexOf('hello plugin stopped'));
  });

  it('explains a package that cannot be found', async () => {
    const t = tempDir({ '.rr.yaml': 'version: "3"\nplugins: [rr-plugin-does-not-exist]\n' });
    cleanups.push(t.cleanup);
    const { code, stderr } = await runRr(['serve', '-c', t.path('.rr.yaml')]);
    expect(code).toBe(1);
    expect(stderr).toContain('RR_ERR_PLUGIN_LOAD');
    expect(stderr).toContain('rr-plugin-does-not-exist');
  });
});

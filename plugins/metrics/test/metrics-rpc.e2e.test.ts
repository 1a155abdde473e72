// The real `rr serve` (packages/cli/dist: build first) with rpc and metrics; a real PHP process
// using rr's PHP RPC class (JSON codec, as spiral/roadrunner-metrics) declares and updates
// collectors, and the scrape is parsed with the Prometheus project's parser.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllRr, startRr, tempDir } from '../../../test/helpers/rr-process.js';
import { get } from '@rr/testing';
import { familyOf, parseExposition, sampleValue } from '../src/test-prom-parse.js';

const script = new URL('./php/metrics-rpc.php', import.meta.url).pathname;
const cleanups: Array<() => void> = [];
afterEach(() => {
  killAllRr();
  for (const c of cleanups.splice(0)) c();
});

function php(file: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('php', [file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c; });
    child.stderr.on('data', (c: Buffer) => { stderr += c; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('metrics RPC from PHP through rr serve', () => {
  it('Declare/Add/Sub/Set/Observe/Unregister land in the scrape; errors carry RoadRunner\'s texts', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const socket = t.path('rpc.sock');
    writeFileSync(t.path('.rr.yaml'), [
      'version: "3"',
      'rpc:',
      `  listen: unix://${socket}`,
      'metrics:',
      '  address: 127.0.0.1:0',
      '  collect:',
      '    preset:',
      '      type: gauge',
      '      help: Declared in .rr.yaml.',
      '',
    ].join('\n'));
    const rr = startRr(['serve', '-c', t.path('.rr.yaml'), '-o', 'logs.mode=production', '-o', 'logs.output=stdout', '-o', 'logs.level=debug']);
    const line = await rr.waitFor(/"msg":"metrics server started"/);
    await rr.waitFor(/RoadRunner server started/);
    const port = (JSON.parse(line) as { port: number }).port;

    const run = await php(script, { RR_RPC: `unix://${socket}` });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    const err = (text: string) => `error: Error '${text}' on unix://${socket}`;
    expect(out).toEqual({
      declare_counter: true,
      declare_gauge: true,
      declare_histogram: true,
      declare_summary: true,
      declare_again: true,
      declare_doomed: true,
      add: true,
      add2: true,
      set: true,
      sub: true,
      observe: true,
      observe_summary: true,
      unregister: true,
      add_undefined: err('metrics_plugin_add: undefined collector nope, try first Declare the desired collector'),
      add_no_labels: err('metrics_plugin_add: required labels for collector jobs_done'),
      counter_down: err('metrics_plugin_add: counter cannot decrease in value: jobs_done'),
      observe_gauge: err('metrics_plugin_observe: collector `temperature` does not support method `Observe`'),
      unregister_again: err('metrics_plugin_unregister: undefined collector doomed'),
    });

    const scrape = await get(port, '/metrics');
    expect(scrape.status).toBe(200);
    const f = await parseExposition(scrape.body);
    expect(sampleValue(f, 'app_jobs_done_total', { queue: 'emails' })).toBe(4.5);
    expect(familyOf(f, 'app_jobs_done_total')?.help).toBe('Jobs done.');
    expect(sampleValue(f, 'temperature')).toBe(21);
    expect(sampleValue(f, 'latency_bucket', { le: '0.1' })).toBe(0);
    expect(sampleValue(f, 'latency_bucket', { le: '1' })).toBe(1);
    expect(sampleValue(f, 'latency_count')).toBe(1);
    expect(sampleValue(f, 'payload', { quantile: '0.5' })).toBe(100);
    expect(sampleValue(f, 'payload', { quantile: '0.9' })).toBe(100);
    expect(sampleValue(f, 'payload_count')).toBe(1);
    expect(sampleValue(f, 'preset')).toBe(0);
    expect(familyOf(f, 'doomed')).toBeUndefined();
    expect(sampleValue(f, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    rr.kill('SIGTERM');
    expect(await rr.exited).toBe(0);
  });
});

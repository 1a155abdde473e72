// The real `rr serve` (packages/cli/dist: build first) with the echo_pool fixture owning one real
// PHP worker, status and metrics. The worker is made busy on purpose (a request that answers only
// when the test creates a file), so /ready, /health and the worker gauges are observed through a
// busy pool and through shutdown, with no sleeps: every step waits for a log line or an answer.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixturesDir, killAllRr, startRr, tempDir } from '../../../test/helpers/rr-process.js';
import { parseExposition, sampleValue, samplesNamed } from '../../metrics/src/test-prom-parse.js';
import { get, type Answer } from '@rr/testing';

const worker = new URL('./php/hang-worker.php', import.meta.url).pathname;
const echoPool = join(fixturesDir, 'plugins/echo-pool.mjs');
const cleanups: Array<() => void> = [];
afterEach(() => {
  killAllRr();
  for (const c of cleanups.splice(0)) c();
});

/** Asks until `done` holds (each answer is the event waited for), at most `timeoutMs`. */
async function until(port: number, path: string, done: (a: Answer) => boolean, timeoutMs = 10_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await get(port, path);
    if (done(a) || Date.now() > deadline) return a;
  }
}

describe('status and metrics with a real PHP pool', () => {
  it('/ready turns 503 while the only worker is busy, /health stays 200, and shutdown is reported', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const release = t.path('release');
    writeFileSync(t.path('.rr.yaml'), [
      'version: "3"',
      `plugins: ["${echoPool}"]`,
      'server:',
      `  command: "php ${worker}"`,
      'echo_pool:',
      `  busy: "hang:${release}"`,
      '  pool:',
      '    num_workers: 1',
      '    allocate_timeout: 60s',
      'status:',
      '  address: 127.0.0.1:0',
      'metrics:',
      '  address: 127.0.0.1:0',
      '',
    ].join('\n'));
    const rr = startRr(['serve', '-c', t.path('.rr.yaml'), '-o', 'logs.mode=production', '-o', 'logs.output=stdout', '-o', 'logs.level=debug']);
    const statusPort = (JSON.parse(await rr.waitFor(/"msg":"status server started"/)) as { port: number }).port;
    const metricsPort = (JSON.parse(await rr.waitFor(/"msg":"metrics server started"/)) as { port: number }).port;
    const pid = (JSON.parse(await rr.waitFor(/"msg":"echo_pool ready"/)) as { pids: number[] }).pids[0];
    await rr.waitFor(/hanging/);

    const ready = await get(statusPort, '/ready?plugin=echo_pool');
    expect([ready.status, JSON.parse(ready.body)]).toEqual([503, [{ plugin_name: 'echo_pool', error_message: 'internal server error, see logs', status_code: 503 }]]);
    const health = await get(statusPort, '/health');
    expect([health.status, JSON.parse(health.body)]).toEqual([200, [{ plugin_name: 'echo_pool', error_message: '', status_code: 200 }]]);
    expect((await get(statusPort, '/jobs')).body).toBe('jobs plugin not found\n');

    const busy = await parseExposition((await get(metricsPort, '/metrics')).body);
    expect(sampleValue(busy, 'rr_echo_pool_total_workers')).toBe(1);
    expect(sampleValue(busy, 'rr_echo_pool_workers_working')).toBe(1);
    expect(sampleValue(busy, 'rr_echo_pool_workers_ready')).toBe(0);
    expect(samplesNamed(busy, 'rr_echo_pool_worker_state').map((s) => [s.labels, s.value])).toEqual([[{ state: 'working', pid: String(pid) }, 0]]);
    expect(sampleValue(busy, 'rr_echo_pool_worker_memory_bytes', { pid: String(pid) })).toBeGreaterThan(1_000_000);

    // Shutdown while the worker is still busy: the pool waits for it, so status has drained but
    // not stopped: it keeps answering, and says so.
    rr.kill('SIGTERM');
    const down = await until(statusPort, '/health', (a) => a.body === 'service is shutting down\n');
    expect([down.status, down.body]).toEqual([200, 'service is shutting down\n']);
    const notReady = await get(statusPort, '/ready?plugin=echo_pool');
    expect([notReady.status, notReady.body]).toEqual([503, 'service is shutting down\n']);
    expect((await get(statusPort, '/jobs')).status).toBe(503);

    writeFileSync(release, '');
    expect(await rr.exited).toBe(0);
    await expect(get(statusPort, '/health')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('/ready is 200 while a worker is idle', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    writeFileSync(t.path('.rr.yaml'), [
      'version: "3"',
      `plugins: ["${echoPool}"]`,
      'server:',
      `  command: "php ${worker}"`,
      'echo_pool:',
      '  pool:',
      '    num_workers: 1',
      'status:',
      '  address: 127.0.0.1:0',
      '',
    ].join('\n'));
    const rr = startRr(['serve', '-c', t.path('.rr.yaml'), '-o', 'logs.mode=production', '-o', 'logs.output=stdout', '-o', 'logs.level=debug']);
    const statusPort = (JSON.parse(await rr.waitFor(/"msg":"status server started"/)) as { port: number }).port;
    await rr.waitFor(/RoadRunner server started/);
    const ready = await get(statusPort, '/ready?plugin=echo_pool&plugin=http');
    expect([ready.status, ready.body]).toEqual([200, '[{"plugin_name":"echo_pool","error_message":"","status_code":200}]']);
    rr.kill('SIGTERM');
    expect(await rr.exited).toBe(0);
  });
});

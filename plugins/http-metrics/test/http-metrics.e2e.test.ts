// The real `rr serve` (packages/cli/dist: build first) with the http plugin, one real PHP worker
// (the http plugin's library test worker), http.middleware [http_metrics] and metrics: the
// request metrics and the http worker gauges as a scraper sees them, including the answer given
// when no worker is free.
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllRr, startRr, tempDir } from '../../../test/helpers/rr-process.js';
import { get } from '@rr/testing';
import { parseExposition, sampleValue } from '../../metrics/src/test-prom-parse.js';

const worker = new URL('../../http/test/php/lib-worker.php', import.meta.url).pathname;
const cleanups: Array<() => void> = [];
afterEach(() => {
  killAllRr();
  for (const c of cleanups.splice(0)) c();
});

function hit(port: number, path: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('http_metrics through rr serve', () => {
  it('counts PHP answers by status, in-flight requests and "no free workers" answers', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    writeFileSync(t.path('.rr.yaml'), [
      'version: "3"',
      'server:',
      `  command: "php ${worker}"`,
      'http:',
      '  address: 127.0.0.1:0',
      '  middleware: [http_metrics]',
      '  pool:',
      '    num_workers: 1',
      // Also the worker's handshake limit at boot: 50 ms failed boots when the suite ran twice in parallel.
      '    allocate_timeout: 1s',
      'metrics:',
      '  address: 127.0.0.1:0',
      '',
    ].join('\n'));
    const rr = startRr(['serve', '-c', t.path('.rr.yaml'), '-o', 'logs.mode=production', '-o', 'logs.output=stdout', '-o', 'logs.level=debug']);
    const metricsPort = (JSON.parse(await rr.waitFor(/"msg":"metrics server started"/)) as { port: number }).port;
    const httpAddress = (JSON.parse(await rr.waitFor(/"msg":"http server was started"/)) as { address: string }).address;
    const httpPort = Number(httpAddress.slice(httpAddress.lastIndexOf(':') + 1));
    await rr.waitFor(/RoadRunner server started/);

    expect((await hit(httpPort, '/hello')).status).toBe(200);
    expect((await hit(httpPort, '/hello')).status).toBe(200);
    expect((await hit(httpPort, '/status/404')).status).toBe(404);

    // Occupy the only worker, wait until the queue gauge shows it, then ask again: the second
    // request gives up after allocate_timeout (1 s) while the first still runs.
    const slow = hit(httpPort, '/sleep/2500');
    const deadline = Date.now() + 5000;
    while (!/^rr_http_requests_queue 1$/m.test((await get(metricsPort, '/metrics')).body) && Date.now() < deadline) { /* next scrape */ }
    const refused = await hit(httpPort, '/hello');
    expect(refused.status).toBe(500);
    expect(refused.headers['no-workers']).toBeUndefined();
    expect((await slow).status).toBe(200);

    const f = await parseExposition((await get(metricsPort, '/metrics')).body);
    expect(sampleValue(f, 'rr_http_request_total', { status: '200' })).toBe(3);
    expect(sampleValue(f, 'rr_http_request_total', { status: '404' })).toBe(1);
    expect(sampleValue(f, 'rr_http_request_total', { status: '500' })).toBe(1);
    expect(sampleValue(f, 'rr_http_request_duration_seconds_count', { status: '200' })).toBe(3);
    expect(sampleValue(f, 'rr_http_request_duration_seconds_bucket', { status: '200', le: '0.25' })).toBe(2);
    expect(sampleValue(f, 'rr_http_no_free_workers_total')).toBe(1);
    expect(sampleValue(f, 'rr_http_requests_queue')).toBe(0);
    expect(sampleValue(f, 'rr_http_total_workers')).toBe(1);
    expect(sampleValue(f, 'rr_http_workers_ready')).toBe(1);

    rr.kill('SIGTERM');
    expect(await rr.exited).toBe(0);
  });
});

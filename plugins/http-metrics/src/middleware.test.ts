import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpHandler } from '@rr/http-api';
import { parseExposition, sampleValue, samplesNamed } from '../../metrics/src/test-prom-parse.js';
import { createHttpMetrics, HTTP_DURATION_BUCKETS } from './metrics.js';
import { httpMetricsMiddleware } from './middleware.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) { s.closeAllConnections(); s.close(); }
});

async function serve(final: HttpHandler): Promise<{ port: number; registry: Registry }> {
  const registry = new Registry();
  const handler = httpMetricsMiddleware(createHttpMetrics(registry))(final);
  const server = createServer((req, res) => { void handler(req, res); });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, registry };
}

function fetchRaw(port: number, path = '/'): Promise<{ status: number; headers: Record<string, unknown> } | 'hang up'> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', () => resolve('hang up'));
    req.end();
  });
}

describe('http_metrics middleware', () => {
  it('counts requests and durations by status, with RoadRunner\'s buckets', async () => {
    const { port, registry } = await serve(async (req, res) => {
      res.writeHead(req.url === '/missing' ? 404 : 200);
      res.end('x');
    });
    await fetchRaw(port);
    await fetchRaw(port);
    await fetchRaw(port, '/missing');
    const f = await parseExposition(await registry.metrics());
    expect(sampleValue(f, 'rr_http_request_total', { status: '200' })).toBe(2);
    expect(sampleValue(f, 'rr_http_request_total', { status: '404' })).toBe(1);
    expect(sampleValue(f, 'rr_http_request_duration_seconds_count', { status: '200' })).toBe(2);
    const les = samplesNamed(f, 'rr_http_request_duration_seconds_bucket').filter((s) => s.labels.status === '404').map((s) => s.labels.le);
    expect(les).toEqual([...HTTP_DURATION_BUCKETS.map(String), '+Inf']);
    expect(sampleValue(f, 'rr_http_requests_queue')).toBe(0);
    expect(sampleValue(f, 'rr_http_no_free_workers_total')).toBe(0);
  });

  it('labels a request that never got headers "-1"', async () => {
    const { port, registry } = await serve(async (_req, res) => { res.destroy(); });
    expect(await fetchRaw(port)).toBe('hang up');
    const f = await parseExposition(await registry.metrics());
    expect(sampleValue(f, 'rr_http_request_total', { status: '-1' })).toBe(1);
  });

  it('shows requests in flight in rr_http_requests_queue', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let entered!: () => void;
    const inside = new Promise<void>((r) => { entered = r; });
    const { port, registry } = await serve(async (_req, res) => {
      entered();
      await held;
      res.end('late');
    });
    const answer = fetchRaw(port);
    await inside;
    expect(sampleValue(await parseExposition(await registry.metrics()), 'rr_http_requests_queue')).toBe(1);
    release();
    expect(await answer).toMatchObject({ status: 200 });
    expect(sampleValue(await parseExposition(await registry.metrics()), 'rr_http_requests_queue')).toBe(0);
  });

  it('counts the No-Workers marker and keeps it from the client, in every header form', async () => {
    const forms: Array<(res: Parameters<HttpHandler>[1]) => void> = [
      (res) => { (res as import('node:http').ServerResponse).writeHead(500, { 'No-Workers': 'true', 'Retry-After': '1' }); },
      (res) => { res.setHeader('No-Workers', 'true'); res.writeHead(500); },
      (res) => { (res as import('node:http').ServerResponse).writeHead(500, 'Internal', ['No-Workers', 'true', 'Retry-After', '1']); },
    ];
    let i = 0;
    const { port, registry } = await serve(async (_req, res) => {
      forms[i++]?.(res);
      res.end();
    });
    for (let n = 0; n < forms.length; n++) {
      const r = await fetchRaw(port);
      expect(r).toMatchObject({ status: 500 });
      expect((r as { headers: Record<string, unknown> }).headers['no-workers']).toBeUndefined();
    }
    const f = await parseExposition(await registry.metrics());
    expect(sampleValue(f, 'rr_http_no_free_workers_total')).toBe(3);
    expect(sampleValue(f, 'rr_http_request_total', { status: '500' })).toBe(3);
  });
});

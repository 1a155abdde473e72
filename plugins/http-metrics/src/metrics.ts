import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { promClient } from './prom.js';

/** RoadRunner's `rr_http_request_duration_seconds` buckets, in seconds. */
export const HTTP_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

/** The collectors of RoadRunner's http_metrics (prometheus) plugin. */
export interface HttpMetrics {
  readonly requests: Counter<'status'>;
  readonly duration: Histogram<'status'>;
  readonly queue: Gauge;
  readonly noFreeWorkers: Counter;
  readonly uptime: Counter;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const { Counter, Gauge, Histogram } = promClient();
  const m: HttpMetrics = {
    requests: new Counter({ name: 'rr_http_request_total', help: 'Total number of handled http requests after server restart.', labelNames: ['status'], registers: [] }),
    duration: new Histogram({ name: 'rr_http_request_duration_seconds', help: 'HTTP request duration.', labelNames: ['status'], buckets: [...HTTP_DURATION_BUCKETS], registers: [] }),
    queue: new Gauge({ name: 'rr_http_requests_queue', help: 'Total number of queued requests.', registers: [] }),
    noFreeWorkers: new Counter({ name: 'rr_http_no_free_workers_total', help: 'Total number of NoFreeWorkers occurrences.', registers: [] }),
    uptime: new Counter({ name: 'rr_http_uptime_seconds', help: 'Uptime in seconds', registers: [] }),
  };
  for (const metric of Object.values(m)) registry.registerMetric(metric);
  return m;
}

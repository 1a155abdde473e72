import { definePlugin } from '@rr/plugin-api';
import { httpMiddlewareToken } from '@rr/http-api';
import { metricsRegistryToken } from '@rr/metrics-api';
import { createHttpMetrics } from './metrics.js';
import { httpMetricsMiddleware } from './middleware.js';

/**
 * RoadRunner's `http_metrics` plugin (the `prometheus` package): always enabled; its middleware
 * counts only when `http.middleware` lists `http_metrics`, and exports only when the metrics plugin
 * runs. `rr_http_uptime_seconds` ticks once a second whenever metrics is on.
 */
export const httpMetricsPlugin = definePlugin({
  name: 'http_metrics',
  kernel: '^0.1.0',
  description: 'HTTP middleware: request metrics for Prometheus (rr_http_*)',
  optionalDeps: { registry: metricsRegistryToken },
  contributes: [httpMiddlewareToken],
  init(ctx) {
    const registry = ctx.optionalDeps.registry;
    if (registry === undefined) {
      // Nothing would export the numbers: stay out of the request path.
      ctx.contribute(httpMiddlewareToken, { name: 'http_metrics', middleware: (next) => next });
      return;
    }
    const metrics = createHttpMetrics(registry);
    ctx.contribute(httpMiddlewareToken, { name: 'http_metrics', middleware: httpMetricsMiddleware(metrics) });
    let ticker: NodeJS.Timeout | undefined;
    return {
      serve() {
        ticker = setInterval(() => metrics.uptime.inc(), 1000);
        ticker.unref();
      },
      stop() {
        clearInterval(ticker);
      },
    };
  },
});

export { httpMetricsPlugin } from './plugin.js';
export { httpMetricsMiddleware } from './middleware.js';
export { createHttpMetrics, HTTP_DURATION_BUCKETS, type HttpMetrics } from './metrics.js';

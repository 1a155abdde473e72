export { metricsPlugin } from './plugin.js';
export { compileMetricsConfig, DEFAULT_METRICS_ADDRESS, type MetricsConfig } from './config.js';
export { MetricsErrorCodes } from './server.js';

import { defineToken } from '@rr/plugin-api';
import type { Registry } from 'prom-client';

/**
 * The Prometheus registry behind `metrics.address` (a prom-client `Registry`). Everything registered
 * here is scraped; plugins create their collectors with prom-client and register them in `init`.
 * @public
 */
export type MetricsRegistry = Registry;

/**
 * Provided by the `metrics` plugin when the `metrics` section is present. Plugins that export
 * metrics list it in `optionalDeps`: without it they keep working and export nothing. Listing it
 * makes them start after (and stop before) the metrics plugin.
 * @public
 */
export const metricsRegistryToken = defineToken<MetricsRegistry>('metrics.registry');


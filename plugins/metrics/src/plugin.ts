import { definePlugin } from '@rr/plugin-api';
import { metricsRegistryToken } from '@rr/metrics-api';
import { informerSourcesToken, rpcServicesToken } from '@rr/rpc-api';
import { compileMetricsConfig } from './config.js';
import { promClient } from './prom.js';
import { metricsRpcService } from './rpc.js';
import { metricsSchema } from './schema.js';
import { startMetricsServer, type MetricsServer } from './server.js';
import { UserCollectors } from './user-collectors.js';
import { registerWorkerGauges } from './worker-gauges.js';

/**
 * RoadRunner's `metrics` plugin: a Prometheus endpoint at `metrics.address` exporting node's
 * process metrics (in place of Go's), rr's worker gauges for every plugin with workers, what other
 * plugins register in {@link metricsRegistryToken}, and the application's collectors (declared in
 * `metrics.collect` or over the `metrics` RPC service).
 */
export const metricsPlugin = definePlugin({
  name: 'metrics',
  kernel: '^0.1.0',
  description: 'Prometheus metrics endpoint, application collectors and the metrics RPC service',
  provides: [metricsRegistryToken],
  contributes: [rpcServicesToken],
  collects: [informerSourcesToken],
  config: { schema: metricsSchema, compile: compileMetricsConfig },
  init(ctx) {
    const { collectDefaultMetrics, Registry } = promClient();
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const collectors = new UserCollectors(registry, ctx.logger);
    for (const [name, spec] of ctx.config.collect) collectors.declare(name, spec);
    ctx.provide(metricsRegistryToken, registry);
    ctx.contribute(rpcServicesToken, metricsRpcService(collectors));
    let server: MetricsServer | undefined;
    return {
      async serve() {
        // Informer sources are complete only now; their plugins start after this one.
        for (const { value } of ctx.collected(informerSourcesToken)) registerWorkerGauges(registry, value);
        server = await startMetricsServer(registry, ctx.config.listen, ctx.config.address, ctx.logger);
        ctx.logger.debug('metrics server started', { address: ctx.config.address, port: server.port });
      },
      async stop(signal) {
        await server?.close(signal);
        registry.clear();
      },
    };
  },
});

import { definePlugin } from '@rr/plugin-api';
import { informerSourcesToken } from '@rr/rpc-api';
import { jobsStateSourcesToken, statusCheckersToken } from '@rr/status-api';
import { buildChecks } from './checks.js';
import { compileStatusConfig } from './config.js';
import { statusSchema } from './schema.js';
import { startStatusServer, type StatusServer } from './server.js';

/**
 * RoadRunner's `status` plugin: /health, /ready and /jobs on `status.address`. Health and
 * readiness come from every plugin with workers (informer sources) plus custom checkers.
 *
 * It only collects registries, so every plugin it reports on starts after it and stops before it:
 * the endpoints keep answering while http or jobs drain, and say "service is shutting down" from
 * this plugin's own drain until it stops.
 */
export const statusPlugin = definePlugin({
  name: 'status',
  kernel: '^0.1.0',
  description: 'Health (/health), readiness (/ready) and jobs (/jobs) endpoints',
  collects: [informerSourcesToken, statusCheckersToken, jobsStateSourcesToken],
  config: { schema: statusSchema, compile: compileStatusConfig },
  init(ctx) {
    let server: StatusServer | undefined;
    return {
      async serve() {
        const checks = buildChecks(
          ctx.collected(informerSourcesToken).map((c) => c.value),
          ctx.collected(statusCheckersToken).map((c) => c.value),
        );
        server = await startStatusServer({
          config: ctx.config,
          checks,
          jobs: ctx.collected(jobsStateSourcesToken).map((c) => c.value),
          log: ctx.logger,
        });
        ctx.logger.debug('status server started', { address: ctx.config.address, port: server.port });
      },
      drain() {
        server?.shutDown();
      },
      async stop(signal) {
        await server?.close(signal);
      },
    };
  },
});

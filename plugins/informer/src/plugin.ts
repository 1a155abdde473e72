import { definePlugin } from '@rr/plugin-api';
import { informerSourcesToken, rpcServicesToken } from '@rr/rpc-api';
import { jobsStateSourcesToken } from '@rr/status-api';
import { informerService } from './service.js';

/**
 * RoadRunner's `informer`: always enabled; lists the workers of every plugin that contributed a
 * worker source, over RPC (`informer.List`, `informer.Workers`) for `rr workers` and PHP's WorkerPool,
 * and the jobs pipelines of every jobs state source (`informer.Jobs`, the same registry as status `/jobs`).
 */
export const informerPlugin = definePlugin({
  name: 'informer',
  kernel: '^0.1.0',
  description: 'RPC service informer.* (worker lists for rr workers and PHP WorkerPool)',
  collects: [informerSourcesToken, jobsStateSourcesToken],
  contributes: [rpcServicesToken],
  init(ctx) {
    ctx.contribute(rpcServicesToken, informerService(() => ctx.collected(informerSourcesToken), () => ctx.collected(jobsStateSourcesToken)));
  },
});

import { definePlugin } from '@rr/plugin-api';
import { resetterTargetsToken, rpcServicesToken } from '@rr/rpc-api';
import { resetterService } from './service.js';

/**
 * RoadRunner's `resetter`: always enabled; `resetter.Reset("http")` replaces that plugin's workers
 * (what `rr reset` and Laravel Octane's reload call), `resetter.List` names the resettable plugins.
 */
export const resetterPlugin = definePlugin({
  name: 'resetter',
  kernel: '^0.1.0',
  description: 'RPC service resetter.* (rr reset)',
  collects: [resetterTargetsToken],
  contributes: [rpcServicesToken],
  init(ctx) {
    ctx.contribute(rpcServicesToken, resetterService(() => ctx.collected(resetterTargetsToken)));
  },
});

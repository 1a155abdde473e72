import { definePlugin } from '@rr/plugin-api';
import { kvDriversToken } from '@rr/kv-api';
import { memoryKvDriver } from './kv-storage.js';

/** RoadRunner's `memory`: always enabled, no section; contributes the in-memory kv driver. */
export const memoryPlugin = definePlugin({
  name: 'memory',
  kernel: '^0.1.0',
  description: 'in-memory kv driver (TTL per key)',
  contributes: [kvDriversToken],
  init(ctx) {
    ctx.contribute(kvDriversToken, memoryKvDriver);
  },
});

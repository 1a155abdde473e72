import { definePlugin } from '@rr/plugin-api';
import { kvDriversToken } from '@rr/kv-api';
import { redisKvDriver } from './kv-storage.js';

/**
 * RoadRunner's `redis`: always enabled; contributes the redis kv driver. Its top-level `redis:`
 * section is read by the kv plugin for a storage named `redis` without its own config.
 */
export const redisPlugin = definePlugin({
  name: 'redis',
  kernel: '^0.1.0',
  description: 'Redis kv driver (single, cluster, sentinel)',
  contributes: [kvDriversToken],
  init(ctx) {
    ctx.contribute(kvDriversToken, redisKvDriver);
  },
});

import { definePlugin } from '@rr/plugin-api';
import { kvDriversToken } from '@rr/kv-api';
import { memcachedKvDriver } from './kv-storage.js';

/** RoadRunner's `memcached`: a kv driver, enabled only when there is a `kv` section. */
export const memcachedPlugin = definePlugin({
  name: 'memcached',
  kernel: '^0.1.0',
  description: 'memcached kv driver',
  contributes: [kvDriversToken],
  enabled: (_config, view) => (view.has('kv') ? { enabled: true } : { enabled: false, reason: 'there is no kv section' }),
  init(ctx) {
    ctx.contribute(kvDriversToken, memcachedKvDriver);
  },
});

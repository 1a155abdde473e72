import { definePlugin } from '@rr/plugin-api';
import { kvDriversToken } from '@rr/kv-api';
import { boltdbKvDriver } from './kv-storage.js';

/** RoadRunner's `boltdb`: always enabled; contributes the durable local kv driver. */
export const boltdbPlugin = definePlugin({
  name: 'boltdb',
  kernel: '^0.1.0',
  description: 'durable local kv driver (one file; LMDB underneath)',
  contributes: [kvDriversToken],
  init(ctx) {
    ctx.contribute(kvDriversToken, boltdbKvDriver);
  },
});

import { definePlugin } from '@rr/plugin-api';
import { jobsDriversToken } from '@rr/jobs-api';
import { kvDriversToken } from '@rr/kv-api';
import { boltdbJobsDriver } from './jobs-driver.js';
import { boltdbKvDriver } from './kv-storage.js';

/** RoadRunner's `boltdb`: always enabled; contributes the durable local kv and jobs drivers. */
export const boltdbPlugin = definePlugin({
  name: 'boltdb',
  kernel: '^0.1.0',
  description: 'durable local kv and jobs driver (one file; LMDB underneath)',
  contributes: [kvDriversToken, jobsDriversToken],
  init(ctx) {
    ctx.contribute(kvDriversToken, boltdbKvDriver);
    ctx.contribute(jobsDriversToken, boltdbJobsDriver);
  },
});

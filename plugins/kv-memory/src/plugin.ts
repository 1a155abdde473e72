import { definePlugin } from '@rr/plugin-api';
import { jobsDriversToken } from '@rr/jobs-api';
import { kvDriversToken } from '@rr/kv-api';
import { memoryJobsDriver } from './jobs-driver.js';
import { memoryKvDriver } from './kv-storage.js';

/** RoadRunner's `memory`: always enabled, no section; contributes the in-memory kv and jobs drivers. */
export const memoryPlugin = definePlugin({
  name: 'memory',
  kernel: '^0.1.0',
  description: 'in-memory kv driver (TTL per key) and jobs driver',
  contributes: [kvDriversToken, jobsDriversToken],
  init(ctx) {
    ctx.contribute(kvDriversToken, memoryKvDriver);
    ctx.contribute(jobsDriversToken, memoryJobsDriver);
  },
});

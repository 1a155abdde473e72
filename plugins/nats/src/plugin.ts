import { definePlugin } from '@rr/plugin-api';
import { jobsDriversToken } from '@rr/jobs-api';
import { compileNatsGlobalConfig, type NatsGlobalConfig } from './config.js';
import { createNatsDriver } from './driver.js';
import schema from './schema.js';

/** RoadRunner's `nats`: enabled by the top-level `nats:` section; contributes the `nats` jobs driver. */
export const natsPlugin = definePlugin<{}, {}, NatsGlobalConfig>({
  name: 'nats',
  kernel: '^0.1.0',
  description: 'NATS JetStream jobs driver',
  contributes: [jobsDriversToken],
  config: { schema, compile: (raw) => compileNatsGlobalConfig(raw) },
  init(ctx) {
    ctx.contribute(jobsDriversToken, createNatsDriver(ctx.config));
  },
});

import { definePlugin } from '@rr/plugin-api';
import { jobsDriversToken } from '@rr/jobs-api';
import { compileAmqpGlobalConfig, type AmqpGlobalConfig } from './config.js';
import { createAmqpDriver } from './driver.js';
import schema from './schema.js';

/** RoadRunner's `amqp`: enabled by the top-level `amqp:` section; contributes the `amqp` jobs driver. */
export const amqpPlugin = definePlugin<{}, {}, AmqpGlobalConfig>({
  name: 'amqp',
  kernel: '^0.1.0',
  description: 'AMQP 0-9-1 (RabbitMQ) jobs driver',
  contributes: [jobsDriversToken],
  config: {
    schema,
    compile: (raw, view) => compileAmqpGlobalConfig(raw, view.workDir),
  },
  init(ctx) {
    ctx.contribute(jobsDriversToken, createAmqpDriver(ctx.config));
  },
});

import { definePlugin } from '@rr/plugin-api';
import { jobsDriversToken, type JobsDriver } from '@rr/jobs-api';
import { openKafkaPipeline } from './pipeline.js';

/** The `kafka` jobs driver. */
export const kafkaJobsDriver: JobsDriver = { name: 'kafka', open: openKafkaPipeline };

/** RoadRunner's `kafka`: enabled by its top-level section (brokers, tls, sasl, ping), read when a pipeline opens. */
export const kafkaPlugin = definePlugin({
  name: 'kafka',
  kernel: '^0.1.0',
  description: 'Apache Kafka jobs driver',
  contributes: [jobsDriversToken],
  enabled: (_config, view) => (view.has('kafka') ? { enabled: true } : { enabled: false, reason: 'there is no kafka section' }),
  init(ctx) {
    ctx.contribute(jobsDriversToken, kafkaJobsDriver);
  },
});

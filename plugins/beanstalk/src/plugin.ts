import { definePlugin } from '@rr/plugin-api';
import { jobsDriversToken, type JobsDriver } from '@rr/jobs-api';
import { openBeanstalkPipeline } from './pipeline.js';

/** The `beanstalk` jobs driver. */
export const beanstalkJobsDriver: JobsDriver = { name: 'beanstalk', open: openBeanstalkPipeline };

/** RoadRunner's `beanstalk`: enabled by its top-level section (addr, timeout), read when a pipeline opens. */
export const beanstalkPlugin = definePlugin({
  name: 'beanstalk',
  kernel: '^0.1.0',
  description: 'beanstalkd jobs driver',
  contributes: [jobsDriversToken],
  enabled: (_config, view) => (view.has('beanstalk') ? { enabled: true } : { enabled: false, reason: 'there is no beanstalk section' }),
  init(ctx) {
    ctx.contribute(jobsDriversToken, beanstalkJobsDriver);
  },
});

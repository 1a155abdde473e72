import { definePlugin } from '@rr/plugin-api';
import { jobsDriversToken, type JobsDriver } from '@rr/jobs-api';
import { openSqsPipeline } from './pipeline.js';

/** The `sqs` jobs driver. */
export const sqsJobsDriver: JobsDriver = { name: 'sqs', open: openSqsPipeline };

/**
 * RoadRunner's `sqs`: enabled by a top-level `sqs` section or by `jobs` (as RoadRunner, where the
 * credentials may come from the environment). The section is read when a pipeline opens.
 */
export const sqsPlugin = definePlugin({
  name: 'sqs',
  kernel: '^0.1.0',
  description: 'Amazon SQS jobs driver',
  contributes: [jobsDriversToken],
  enabled: (_config, view) =>
    view.has('sqs') || view.has('jobs') ? { enabled: true } : { enabled: false, reason: 'there is neither an sqs nor a jobs section' },
  init(ctx) {
    ctx.contribute(jobsDriversToken, sqsJobsDriver);
  },
});

export { sqsPlugin, sqsJobsDriver } from './plugin.js';
export { SqsPipeline, openSqsPipeline } from './pipeline.js';
export { SqsErrorCodes } from './errors.js';
export { compileSqsGlobal, compileSqsPipeline } from './config.js';
export type { SqsGlobalConfig, SqsPipelineConfig } from './config.js';

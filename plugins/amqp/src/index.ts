export { amqpPlugin } from './plugin.js';
export { createAmqpDriver, jobsTimeoutMs } from './driver.js';
export { AmqpPipeline } from './pipeline.js';
export { compileAmqpGlobalConfig, compileAmqpPipelineConfig } from './config.js';
export type { AmqpGlobalConfig, AmqpPipelineConfig } from './config.js';
export { AmqpErrorCodes } from './errors.js';

export { natsPlugin } from './plugin.js';
export { createNatsDriver } from './driver.js';
export { NatsPipeline } from './pipeline.js';
export { compileNatsGlobalConfig, compileNatsPipelineConfig } from './config.js';
export type { NatsGlobalConfig, NatsPipelineConfig } from './config.js';
export { NatsErrorCodes } from './errors.js';

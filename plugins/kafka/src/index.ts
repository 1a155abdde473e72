export { kafkaPlugin, kafkaJobsDriver } from './plugin.js';
export { KafkaPipeline, openKafkaPipeline } from './pipeline.js';
export { OffsetTracker } from './offset-tracker.js';
export { KafkaErrorCodes } from './errors.js';
export { compileKafkaGlobal, compileKafkaPipeline } from './config.js';
export type { KafkaGlobalConfig, KafkaPipelineConfig } from './config.js';

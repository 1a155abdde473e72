export { boltdbPlugin } from './plugin.js';
export { BoltdbKvStorage, boltdbKvDriver, compileBoltdbConfig, parsePermissions } from './kv-storage.js';
export type { BoltdbConfig } from './kv-storage.js';
export { BoltdbPipeline, boltdbJobsDriver, compileBoltdbPipelineConfig, type BoltdbPipelineConfig } from './jobs-driver.js';

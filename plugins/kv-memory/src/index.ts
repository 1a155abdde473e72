export { memoryPlugin } from './plugin.js';
export { MemoryKvStorage, memoryKvDriver } from './kv-storage.js';
export { MemoryPipeline, memoryJobsDriver, compileMemoryPipelineConfig, type MemoryPipelineConfig } from './jobs-driver.js';

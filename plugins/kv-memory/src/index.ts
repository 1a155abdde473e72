export { memoryPlugin } from './plugin.js';
export { MemoryKvStorage, memoryKvDriver } from './kv-storage.js';

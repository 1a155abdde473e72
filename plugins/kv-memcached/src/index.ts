export { memcachedPlugin } from './plugin.js';
export { MemcachedKvStorage, memcachedKvDriver, memcachedExpiry, compileMemcachedAddrs } from './kv-storage.js';

export { redisPlugin } from './plugin.js';
export { RedisKvStorage, redisKvDriver } from './kv-storage.js';
export { compileRedisConfig, createRedisClient } from './client.js';
export type { RedisConfig } from './client.js';

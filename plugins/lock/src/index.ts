export { lockPlugin } from './plugin.js';
export { lockService, MAX_MICROSECONDS } from './service.js';
export type { LockBackend } from './backend.js';
export { MemoryLockBackend } from './memory-backend.js';
export { RedisLockBackend } from './redis-backend.js';
export { compileLockConfig, DEFAULT_LOCK_PREFIX } from './config.js';
export type { LockConfig } from './config.js';
export { decodeLockRequest, decodeLockResponse, encodeLockRequest, encodeLockResponse } from './proto.js';

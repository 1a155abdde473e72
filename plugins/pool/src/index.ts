export { poolPlugin } from './plugin.js';
export { PoolError, PoolErrorCodes, type PoolErrorCode } from './errors.js';
export { StaticPool, type StaticPoolOptions, type PoolEvents } from './pool.js';
export { ServerPoolFactory, type ServerPoolFactoryOptions } from './factory.js';
export { compileServerConfig, type ServerConfig } from './config.js';
export { parseCommand } from './command.js';

export * from './pool.js';
export * from './pool-config.js';

export * from './token.js';
export * from './plugin.js';
export * from './logger.js';
export * from './config.js';
export * from './errors.js';
export * from './di.js';
export * from './kernel-tokens.js';
export * from './version.js';

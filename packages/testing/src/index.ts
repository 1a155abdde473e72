export * from './middleware-server.js';
export * from './plugin-kernel.js';
export * from './php-process.js';
export * from './open-files.js';

export * from './middleware-server.js';
export * from './plugin-kernel.js';

export * from './middleware-server.js';

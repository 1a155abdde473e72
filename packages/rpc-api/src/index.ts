export * from './rpc.js';
export * from './informer.js';

export * from './errors/codes.js';
export * from './errors/rr-error.js';

export * from './middleware.js';
export * from './pipe-to-response.js';

export * from './storage.js';
export * from './driver.js';
export * from './errors.js';

export * from './job.js';
export * from './driver.js';

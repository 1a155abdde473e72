export * from './job.js';
export * from './driver.js';
export * from './pipeline-config.js';

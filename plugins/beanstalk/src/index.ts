export { beanstalkPlugin, beanstalkJobsDriver } from './plugin.js';
export { BeanstalkPipeline, openBeanstalkPipeline } from './pipeline.js';
export { BeanstalkConnection, BeanstalkReplyError } from './connection.js';
export { BeanstalkErrorCodes } from './errors.js';
export { compileBeanstalkGlobal, compileBeanstalkPipeline } from './config.js';
export type { BeanstalkGlobalConfig, BeanstalkPipelineConfig } from './config.js';

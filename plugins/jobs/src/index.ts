export { jobsPlugin } from './plugin.js';
export { JobsEngine, workerContext, type JobsCounters } from './engine.js';
export { compileJobsConfig, type JobsConfig } from './config.js';
export { JobsErrorCodes } from './errors.js';
export { parseReply, ReplyType, type ReplyAction } from './reply.js';
export * as jobsProto from './proto.js';

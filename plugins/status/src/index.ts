export { statusPlugin } from './plugin.js';
export { compileStatusConfig, DEFAULT_STATUS_ADDRESS, type StatusConfig } from './config.js';
export { StatusErrorCodes } from './server.js';

export { resetterPlugin } from './plugin.js';
export { resetterService } from './service.js';

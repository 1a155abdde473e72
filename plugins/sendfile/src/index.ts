export { sendfilePlugin } from './plugin.js';
export { sendfileMiddleware } from './middleware.js';

export { staticPlugin } from './plugin.js';
export { compileStaticConfig, type StaticConfig } from './config.js';
export { staticMiddleware } from './middleware.js';

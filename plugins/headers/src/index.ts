export { headersPlugin } from './plugin.js';
export { compileHeadersConfig, type CorsConfig, type HeadersConfig } from './config.js';
export { headersMiddleware } from './middleware.js';

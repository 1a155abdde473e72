export { gzipPlugin } from './plugin.js';
export { gzipMiddleware, MIN_GZIP_SIZE } from './middleware.js';

import { definePlugin } from '@rr/plugin-api';
import { httpMiddlewareToken } from '@rr/http-api';
import { gzipMiddleware } from './middleware.js';

/** RoadRunner's `gzip` middleware: no config, always enabled; used when `http.middleware` lists `gzip`. */
export const gzipPlugin = definePlugin({
  name: 'gzip',
  kernel: '^0.1.0',
  description: 'HTTP middleware: gzip responses for clients that accept it',
  contributes: [httpMiddlewareToken],
  init(ctx) {
    ctx.contribute(httpMiddlewareToken, { name: 'gzip', middleware: gzipMiddleware() });
  },
});

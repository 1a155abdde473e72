import { definePlugin } from '@rr/plugin-api';
import { httpMiddlewareToken } from '@rr/http-api';
import { sendfileMiddleware } from './middleware.js';

/** RoadRunner's `sendfile` middleware: no config, always enabled; used when `http.middleware` lists `sendfile`. */
export const sendfilePlugin = definePlugin({
  name: 'sendfile',
  kernel: '^0.1.0',
  description: 'HTTP middleware: X-Sendfile response header streams the named file',
  contributes: [httpMiddlewareToken],
  init(ctx) {
    ctx.contribute(httpMiddlewareToken, { name: 'sendfile', middleware: sendfileMiddleware(ctx.rootConfig.workDir, ctx.logger) });
  },
});

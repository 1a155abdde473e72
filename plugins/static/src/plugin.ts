import { definePlugin } from '@rr/plugin-api';
import { httpMiddlewareToken } from '@rr/http-api';
import { compileStaticConfig, type StaticConfig } from './config.js';
import { staticMiddleware } from './middleware.js';
import { staticSchema } from './schema.js';

/**
 * RoadRunner's `static` middleware: enabled by an `http.static` section (whose `dir` must exist),
 * used when `http.middleware` lists `static`.
 */
export const staticPlugin = definePlugin<{}, {}, StaticConfig>({
  name: 'static',
  kernel: '^0.1.0',
  description: 'HTTP middleware: serves files from http.static.dir',
  contributes: [httpMiddlewareToken],
  config: { section: 'http.static', schema: staticSchema, compile: compileStaticConfig },
  init(ctx) {
    // lean: reads method, url and headers, answers with status, headers, end() and Readable.pipe().
    ctx.contribute(httpMiddlewareToken, { name: 'static', middleware: staticMiddleware(ctx.config, ctx.logger), lean: true });
  },
});

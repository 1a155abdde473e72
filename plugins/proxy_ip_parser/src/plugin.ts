import { definePlugin } from '@rr/plugin-api';
import { httpMiddlewareToken } from '@rr/http-api';
import { compileProxyConfig, type ProxyConfig } from './config.js';
import { proxyIpMiddleware } from './middleware.js';

const subnetsSchema = {
  description: 'CIDRs of proxies whose forwarding headers are trusted.',
  type: 'array',
  items: { type: 'string' },
};

/**
 * RoadRunner's `proxy_ip_parser`: enabled when `http.trusted_subnets` is a non-empty list (it reads
 * that key as its section, so a bad CIDR is a config error naming it).
 */
export const proxyIpParserPlugin = definePlugin<{}, {}, ProxyConfig>({
  name: 'proxy_ip_parser',
  kernel: '^0.1.0',
  description: 'HTTP middleware: client address from X-Forwarded-For/Forwarded/X-Real-Ip of trusted proxies',
  contributes: [httpMiddlewareToken],
  config: { section: 'http.trusted_subnets', schema: subnetsSchema, compile: compileProxyConfig },
  enabled(config) {
    return config.subnets.length > 0 ? { enabled: true } : { enabled: false, reason: 'http.trusted_subnets is empty' };
  },
  init(ctx) {
    // lean: reads only headers and socket.remoteAddress.
    ctx.contribute(httpMiddlewareToken, { name: 'proxy_ip_parser', middleware: proxyIpMiddleware(ctx.config, ctx.logger), lean: true });
  },
});

import { isIP } from 'node:net';
import { requestState, type HttpHandler, type Middleware } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import type { ProxyConfig } from './config.js';
import { normalisePeer, resolveClientIp } from './resolve-ip.js';

/**
 * RoadRunner's `proxy_ip_parser`: only when the direct peer is inside `http.trusted_subnets`, the
 * client address PHP sees (`requestState(req).remoteAddr`) becomes the one the proxy announced.
 * Headers from untrusted peers are ignored, so clients cannot spoof their address.
 */
export function proxyIpMiddleware(config: ProxyConfig, logger: Logger): Middleware {
  return (next: HttpHandler): HttpHandler => async (req, res) => {
    const peer = normalisePeer(req.socket?.remoteAddress ?? '');
    const family = isIP(peer);
    if (family !== 0 && config.trusted.check(peer, family === 4 ? 'ipv4' : 'ipv6')) {
      const client = resolveClientIp(req.headers, config.headers);
      if (client !== undefined) {
        requestState(req).remoteAddr = client;
        if (logger.isEnabled('debug')) logger.debug('client address from a trusted proxy', { peer, client });
      }
    }
    await next(req, res);
  };
}

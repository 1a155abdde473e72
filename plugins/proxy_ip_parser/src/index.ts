export { proxyIpParserPlugin } from './plugin.js';
export { compileProxyConfig, DEFAULT_TRUSTED_HEADERS, type ProxyConfig } from './config.js';
export { proxyIpMiddleware } from './middleware.js';

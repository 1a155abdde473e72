export { rpcPlugin } from './plugin.js';
export { compileRpcConfig, parseRpcDsn, DEFAULT_LISTEN, INVALID_DSN_MESSAGE, type RpcConfig } from './config.js';
export { RpcErrorCodes } from './errors.js';

export { httpPlugin, buildChain } from './plugin.js';
export { compileHttpConfig, type HttpConfig } from './config.js';
export { HttpErrorCodes } from './errors.js';
export { decodeProtoResponse, encodeProtoResponse, encodeProtoRequest, decodeProtoRequest, type ResponseContext, type RequestFields } from './proto.js';

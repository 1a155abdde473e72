export { LeanServer, type LeanServerOptions, type LeanHandler } from './server.js';
export { LeanRequest, isLeanRequest } from './lean-request.js';
export { LeanResponse } from './lean-response.js';
export { parseHead, type RequestHead, type HeadResult } from './head-parser.js';
export { httpDate } from './http-date.js';

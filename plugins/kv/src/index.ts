export { kvPlugin } from './plugin.js';
export { kvService } from './service.js';
export type { StorageLookup } from './service.js';
export { decodeKvRequest, decodeKvResponse, encodeKvRequest, encodeKvResponse } from './proto.js';
export { formatTimeout, parseTimeout } from './timeout.js';
export { KvErrorCodes } from './errors.js';

import type { RpcCall, RpcMethod, RpcReply, RpcService } from '@rr/rpc-api';
import type { LockBackend } from './backend.js';
import { decodeLockRequest, encodeLockResponse } from './proto.js';
import type { LockRequestMessage } from './proto.js';

/** The largest microsecond count a Go duration holds; RoadRunner rejects anything beyond. */
export const MAX_MICROSECONDS = 9_223_372_036_854_775;

function checkTime(name: 'ttl' | 'wait', value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > MAX_MICROSECONDS) {
    throw new Error(`lock: ${name} must be between 0 and ${MAX_MICROSECONDS} microseconds, got ${value}`);
  }
}

function method(run: (req: LockRequestMessage) => Promise<boolean>, opts: { needsId: boolean; checksTtl: boolean }): RpcMethod {
  return async (call: RpcCall): Promise<RpcReply> => {
    if (call.codec !== 'proto') {
      throw new Error(`${call.method}: expected a protobuf lock Request (PHP sends it with ProtobufCodec), got the ${call.codec} codec`);
    }
    const req = decodeLockRequest(call.body);
    // RoadRunner's wording; PHP code may match on it.
    if (opts.needsId && req.id === '') throw new Error('empty ID is not allowed');
    if (opts.checksTtl) checkTime('ttl', req.ttl);
    checkTime('wait', req.wait);
    return { body: encodeLockResponse(await run(req)), codec: 'proto' };
  };
}

/** RoadRunner's `lock` RPC service (roadrunner-php/lock). */
export function lockService(backend: () => LockBackend): RpcService {
  return {
    name: 'lock',
    methods: {
      Lock: method((r) => backend().lock(r.resource, r.id, r.ttl, r.wait), { needsId: true, checksTtl: true }),
      LockRead: method((r) => backend().lockRead(r.resource, r.id, r.ttl, r.wait), { needsId: true, checksTtl: true }),
      Release: method((r) => backend().release(r.resource, r.id), { needsId: true, checksTtl: false }),
      ForceRelease: method((r) => backend().forceRelease(r.resource), { needsId: false, checksTtl: false }),
      Exists: method((r) => backend().exists(r.resource, r.id), { needsId: true, checksTtl: false }),
      UpdateTTL: method((r) => backend().updateTtl(r.resource, r.id, r.ttl), { needsId: true, checksTtl: true }),
    },
  };
}

import { createRequire } from 'node:module';
import type protobufNs from 'protobufjs';

// protobufjs is loaded and the messages built on first use, not on import, so rr pays for them only
// when the lock plugin is used. A synchronous require keeps these functions synchronous (protobufjs is
// CommonJS: the same instance an `import` would give).
const requireLib = createRequire(import.meta.url);

// lock.v1beta1 as roadrunner-php/lock encodes it; lock.v1's LockRequest/LockResponse share the wire format.
let types: { requestType: protobufNs.Type; responseType: protobufNs.Type } | undefined;
function messages(): { requestType: protobufNs.Type; responseType: protobufNs.Type } {
  if (types === undefined) {
    const protobuf = requireLib('protobufjs') as typeof protobufNs;
    const root = protobuf.parse(`
syntax = "proto3";
package lock.v1beta1;
message Request { string resource = 1; string id = 2; optional int64 ttl = 3; optional int64 wait = 4; }
message Response { bool ok = 1; }
`).root;
    types = {
      requestType: root.lookupType('lock.v1beta1.Request'),
      responseType: root.lookupType('lock.v1beta1.Response'),
    };
  }
  return types;
}

export interface LockRequestMessage {
  resource: string;
  id: string;
  ttl: number;
  wait: number;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  // protobufjs gives a Long for int64 when long.js is around; strings otherwise.
  if (v !== null && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v ?? 0);
}

export function decodeLockRequest(bytes: Uint8Array): LockRequestMessage {
  const { requestType } = messages();
  const msg = requestType.decode(bytes) as unknown as { resource?: string; id?: string; ttl?: unknown; wait?: unknown };
  return { resource: msg.resource ?? '', id: msg.id ?? '', ttl: toNumber(msg.ttl), wait: toNumber(msg.wait) };
}

export function encodeLockResponse(ok: boolean): Uint8Array {
  const { responseType } = messages();
  return responseType.encode(responseType.fromObject({ ok })).finish();
}

/** For tests and benchmarks that play the PHP client from Node. */
export function encodeLockRequest(req: { resource: string; id?: string; ttl?: number; wait?: number }): Uint8Array {
  const { requestType } = messages();
  return requestType.encode(requestType.fromObject(req)).finish();
}

export function decodeLockResponse(bytes: Uint8Array): boolean {
  const { responseType } = messages();
  return (responseType.decode(bytes) as unknown as { ok?: boolean }).ok === true;
}

import protobuf from 'protobufjs';

// lock.v1beta1 as roadrunner-php/lock encodes it; lock.v1's LockRequest/LockResponse share the wire format.
const root = protobuf.parse(`
syntax = "proto3";
package lock.v1beta1;
message Request { string resource = 1; string id = 2; optional int64 ttl = 3; optional int64 wait = 4; }
message Response { bool ok = 1; }
`).root;

const requestType = root.lookupType('lock.v1beta1.Request');
const responseType = root.lookupType('lock.v1beta1.Response');

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
  const msg = requestType.decode(bytes) as unknown as { resource?: string; id?: string; ttl?: unknown; wait?: unknown };
  return { resource: msg.resource ?? '', id: msg.id ?? '', ttl: toNumber(msg.ttl), wait: toNumber(msg.wait) };
}

export function encodeLockResponse(ok: boolean): Uint8Array {
  return responseType.encode(responseType.fromObject({ ok })).finish();
}

/** For tests and benchmarks that play the PHP client from Node. */
export function encodeLockRequest(req: { resource: string; id?: string; ttl?: number; wait?: number }): Uint8Array {
  return requestType.encode(requestType.fromObject(req)).finish();
}

export function decodeLockResponse(bytes: Uint8Array): boolean {
  return (responseType.decode(bytes) as unknown as { ok?: boolean }).ok === true;
}

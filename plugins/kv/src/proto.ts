import { createRequire } from 'node:module';
import type protobufNs from 'protobufjs';

// protobufjs is loaded and the messages built on first use, not on import, so rr pays for them only
// when the kv plugin is used. A synchronous require keeps these functions synchronous (protobufjs is
// CommonJS: the same instance an `import` would give).
const requireLib = createRequire(import.meta.url);

// kv.v1 as spiral/roadrunner-kv encodes it (RoadRunner\KV\DTO\V1); field numbers are wire facts.
let types: { requestType: protobufNs.Type; responseType: protobufNs.Type } | undefined;
function messages(): { requestType: protobufNs.Type; responseType: protobufNs.Type } {
  if (types === undefined) {
    const protobuf = requireLib('protobufjs') as typeof protobufNs;
    const root = protobuf.parse(`
syntax = "proto3";
package kv.v1;
message Request { string storage = 1; repeated Item items = 2; }
message Item { string key = 1; bytes value = 2; string timeout = 3; }
message Response { repeated Item items = 1; }
`).root;
    types = {
      requestType: root.lookupType('kv.v1.Request'),
      responseType: root.lookupType('kv.v1.Response'),
    };
  }
  return types;
}

export interface KvItemMessage {
  key: string;
  value: Uint8Array;
  timeout: string;
}

export interface KvRequestMessage {
  storage: string;
  items: KvItemMessage[];
}

export function decodeKvRequest(bytes: Uint8Array): KvRequestMessage {
  const { requestType } = messages();
  const msg = requestType.toObject(requestType.decode(bytes), { defaults: true, arrays: true }) as {
    storage: string;
    items: Array<{ key: string; value: Uint8Array; timeout: string }>;
  };
  return { storage: msg.storage, items: msg.items.map((i) => ({ key: i.key, value: i.value, timeout: i.timeout })) };
}

export function encodeKvResponse(items: ReadonlyArray<{ key: string; value?: Uint8Array; timeout?: string }>): Uint8Array {
  const { responseType } = messages();
  return responseType.encode(responseType.fromObject({ items })).finish();
}

/** For tests and benchmarks that play the PHP client from Node. */
export function encodeKvRequest(storage: string, items: ReadonlyArray<{ key: string; value?: Uint8Array; timeout?: string }>): Uint8Array {
  const { requestType } = messages();
  return requestType.encode(requestType.fromObject({ storage, items })).finish();
}

export function decodeKvResponse(bytes: Uint8Array): KvItemMessage[] {
  const { responseType } = messages();
  const msg = responseType.toObject(responseType.decode(bytes), { defaults: true, arrays: true }) as { items: KvItemMessage[] };
  return msg.items;
}

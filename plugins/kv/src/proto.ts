import protobuf from 'protobufjs';

// kv.v1 as spiral/roadrunner-kv encodes it (RoadRunner\KV\DTO\V1); field numbers are wire facts.
const root = protobuf.parse(`
syntax = "proto3";
package kv.v1;
message Request { string storage = 1; repeated Item items = 2; }
message Item { string key = 1; bytes value = 2; string timeout = 3; }
message Response { repeated Item items = 1; }
`).root;

export interface KvItemMessage {
  key: string;
  value: Uint8Array;
  timeout: string;
}

export interface KvRequestMessage {
  storage: string;
  items: KvItemMessage[];
}

const requestType = root.lookupType('kv.v1.Request');
const responseType = root.lookupType('kv.v1.Response');

export function decodeKvRequest(bytes: Uint8Array): KvRequestMessage {
  const msg = requestType.toObject(requestType.decode(bytes), { defaults: true, arrays: true }) as {
    storage: string;
    items: Array<{ key: string; value: Uint8Array; timeout: string }>;
  };
  return { storage: msg.storage, items: msg.items.map((i) => ({ key: i.key, value: i.value, timeout: i.timeout })) };
}

export function encodeKvResponse(items: ReadonlyArray<{ key: string; value?: Uint8Array; timeout?: string }>): Uint8Array {
  return responseType.encode(responseType.fromObject({ items })).finish();
}

/** For tests and benchmarks that play the PHP client from Node. */
export function encodeKvRequest(storage: string, items: ReadonlyArray<{ key: string; value?: Uint8Array; timeout?: string }>): Uint8Array {
  return requestType.encode(requestType.fromObject({ storage, items })).finish();
}

export function decodeKvResponse(bytes: Uint8Array): KvItemMessage[] {
  const msg = responseType.toObject(responseType.decode(bytes), { defaults: true, arrays: true }) as { items: KvItemMessage[] };
  return msg.items;
}

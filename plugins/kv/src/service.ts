import type { KvStorage } from '@rr/kv-api';
import type { RpcCall, RpcMethod, RpcReply, RpcService } from '@rr/rpc-api';
import { decodeKvRequest, encodeKvResponse } from './proto.js';
import type { KvItemMessage, KvRequestMessage } from './proto.js';
import { formatTimeout, parseTimeout } from './timeout.js';

/** Looks a storage up by name; undefined when the kv section has no such (working) storage. */
export type StorageLookup = (name: string) => KvStorage | undefined;

type Handler = (storage: KvStorage, request: KvRequestMessage) => Promise<ReadonlyArray<{ key: string; value?: Uint8Array; timeout?: string }>>;

function keysOf(request: KvRequestMessage): string[] {
  return request.items.map((item) => checkKey(item.key));
}

// RoadRunner's drivers refuse blank keys before touching the backend.
function checkKey(key: string): string {
  if (key.trim() === '') throw new Error('kv: empty key is not allowed');
  return key;
}

function method(lookup: StorageLookup, handler: Handler): RpcMethod {
  return async (call: RpcCall): Promise<RpcReply> => {
    if (call.codec !== 'proto') {
      throw new Error(`${call.method}: expected a protobuf kv.v1.Request (PHP sends it with ProtobufCodec), got the ${call.codec} codec`);
    }
    const request = decodeKvRequest(call.body);
    // PHP's client matches "no such storage" to throw StorageException.
    if (request.storage === '') throw new Error('no storage provided');
    const storage = lookup(request.storage);
    if (storage === undefined) throw new Error(`no such storage: ${request.storage}`);
    const items = await handler(storage, request);
    return { body: encodeKvResponse(items), codec: 'proto' };
  };
}

/** RoadRunner's `kv` RPC service, method names and shapes as spiral/roadrunner-kv calls them. */
export function kvService(lookup: StorageLookup): RpcService {
  return {
    name: 'kv',
    methods: {
      Has: method(lookup, async (storage, request) => (await storage.has(keysOf(request))).map((key) => ({ key }))),
      Set: method(lookup, async (storage, request) => {
        if (request.items.length === 0) throw new Error('kv.Set: no items provided');
        const entries = request.items.map((item: KvItemMessage) => ({
          key: checkKey(item.key),
          value: item.value,
          expiresAt: parseTimeout(item.timeout, item.key),
        }));
        await storage.set(entries);
        return [];
      }),
      MGet: method(lookup, async (storage, request) => {
        const found = await storage.mget(keysOf(request));
        return [...found].map(([key, value]) => ({ key, value }));
      }),
      MExpire: method(lookup, async (storage, request) => {
        const expiries = request.items.map((item) => {
          const expiresAt = parseTimeout(item.timeout, checkKey(item.key));
          if (expiresAt === undefined) throw new Error(`kv.MExpire: key "${item.key}" has an empty timeout`);
          return { key: item.key, expiresAt };
        });
        await storage.mexpire(expiries);
        return [];
      }),
      TTL: method(lookup, async (storage, request) => {
        const found = await storage.ttl(keysOf(request));
        return [...found].map(([key, ms]) => ({ key, timeout: formatTimeout(ms) }));
      }),
      Delete: method(lookup, async (storage, request) => {
        await storage.delete(keysOf(request));
        return [];
      }),
      Clear: method(lookup, async (storage) => {
        await storage.clear();
        return [];
      }),
    },
  };
}

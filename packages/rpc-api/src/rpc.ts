import { defineToken } from '@rr/plugin-api';

/** Body codec of an RPC call, from the goridge frame flags. @public */
export type RpcCodec = 'json' | 'proto' | 'raw' | 'gob' | 'msgpack';

/** @public */
export interface RpcCall {
  /** `Service.Method`, e.g. `informer.Workers`. */
  readonly method: string;
  readonly body: Uint8Array;
  readonly codec: RpcCodec;
}

/** @public */
export interface RpcReply {
  readonly body: Uint8Array;
  readonly codec: RpcCodec;
}

/** One method; throw an Error to send an error frame whose text is its message. @public */
export type RpcMethod = (call: RpcCall) => Promise<RpcReply> | RpcReply;

/** A service contributed to the RPC server: `name` is the part before the dot. @public */
export interface RpcService {
  readonly name: string;
  readonly methods: Readonly<Record<string, RpcMethod>>;
}

/**
 * Registry of RPC services (multi token): plugins contribute services in init; the `rpc` plugin
 * collects them when it starts serving. @public
 */
export const rpcServicesToken = defineToken<RpcService>('rpc.services', { multi: true });

/**
 * A method taking and returning JSON, the codec the PHP RPC clients use by default.
 * The argument is the decoded JSON body (undefined for an empty body). @public
 */
export function jsonMethod(handler: (arg: unknown) => unknown): RpcMethod {
  return async (call) => {
    if (call.codec !== 'json' && call.codec !== 'raw') {
      throw new Error(`${call.method}: unsupported codec "${call.codec}", expected json`);
    }
    const text = Buffer.from(call.body).toString('utf8');
    const arg = text === '' ? undefined : (JSON.parse(text) as unknown);
    const result = await handler(arg);
    return { body: Buffer.from(JSON.stringify(result ?? null)), codec: 'json' };
  };
}

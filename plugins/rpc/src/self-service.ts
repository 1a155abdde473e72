import type { ConfigView } from '@rr/plugin-api';
import type { RpcMethod, RpcService } from '@rr/rpc-api';

/**
 * The rpc plugin's own service. `rpc.Config` returns the effective configuration as JSON text; Go
 * returns it as []byte, so over the JSON codec it travels as a base64 string (what PHP helpers
 * decode) and over the RAW codec as the bytes themselves. `rpc.Version` returns rr's version.
 * Both ignore their argument (RoadRunner decodes it as a bool and never reads it).
 */
export function rpcSelfService(config: () => unknown, version: string): RpcService {
  const configJson = (): Buffer => Buffer.from(JSON.stringify(config() ?? {}));
  const configMethod: RpcMethod = (call) => {
    if (call.codec === 'raw') return { body: configJson(), codec: 'raw' };
    if (call.codec === 'json') return { body: Buffer.from(JSON.stringify(configJson().toString('base64'))), codec: 'json' };
    throw unsupported(call.method, call.codec);
  };
  const versionMethod: RpcMethod = (call) => {
    if (call.codec === 'json') return { body: Buffer.from(JSON.stringify(version)), codec: 'json' };
    if (call.codec === 'raw') return { body: Buffer.from(version), codec: 'raw' };
    throw unsupported(call.method, call.codec);
  };
  return { name: 'rpc', methods: { Config: configMethod, Version: versionMethod } };
}

function unsupported(method: string, codec: string): Error {
  return new Error(`${method}: codec "${codec}" is not supported by rr; call it with the JSON or RAW codec`);
}

/**
 * The whole effective configuration, as RoadRunner's `rpc.Config` gives it. ConfigView has no
 * "whole tree" accessor in its contract; `get('')` is asked for it (the empty path = the root).
 * A view that answers undefined yields `{}`, never a crash.
 */
export function wholeConfig(view: ConfigView): unknown {
  return view.get('') ?? {};
}

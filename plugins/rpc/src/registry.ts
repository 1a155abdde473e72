import { RrError } from '@rr/plugin-api';
import type { RpcCall, RpcMethod, RpcReply, RpcService } from '@rr/rpc-api';
import { RpcErrorCodes } from './errors.js';

/**
 * The services the server dispatches to, frozen when the server starts. Lookups follow Go's
 * net/rpc, whose error texts PHP code matches on: `Service.Method` split at the LAST dot, both parts
 * matched exactly.
 */
export class RpcRegistry {
  readonly #services = new Map<string, { plugin: string; methods: Readonly<Record<string, RpcMethod>> }>();

  /** @throws RrError RR_ERR_RPC_SERVICE_DUPLICATE when two plugins claim one service name */
  constructor(contributions: ReadonlyArray<{ plugin: string; value: RpcService }>) {
    for (const { plugin, value } of contributions) {
      const seen = this.#services.get(value.name);
      if (seen !== undefined) {
        throw new RrError(
          RpcErrorCodes.SERVICE_DUPLICATE,
          `RPC service "${value.name}" is contributed by both plugin "${seen.plugin}" and plugin "${plugin}"; ` +
            'calls could not tell them apart. Give one of the services another name, or disable one of the plugins.',
        );
      }
      this.#services.set(value.name, { plugin, methods: value.methods });
    }
  }

  /** Service names in registration order. */
  names(): string[] {
    return [...this.#services.keys()];
  }

  /** Runs one call; throws an Error whose message becomes the error frame's text. */
  async dispatch(call: RpcCall): Promise<RpcReply> {
    const dot = call.method.lastIndexOf('.');
    if (dot < 0) throw new Error(`rpc: service/method request ill-formed: ${call.method}`);
    const service = this.#services.get(call.method.slice(0, dot));
    if (service === undefined) throw new Error(`rpc: can't find service ${call.method}`);
    const name = call.method.slice(dot + 1);
    // hasOwn: "constructor" or "toString" must not reach Object.prototype.
    const method = Object.hasOwn(service.methods, name) ? service.methods[name] : undefined;
    if (typeof method !== 'function') throw new Error(`rpc: can't find method ${call.method}`);
    return await method(call);
  }
}

import { definePlugin } from '@rr/plugin-api';
import { rpcServicesToken } from '@rr/rpc-api';
import { compileRpcConfig, isLoopbackHost, type RpcConfig } from './config.js';
import { RpcRegistry } from './registry.js';
import { rpcSchema } from './schema.js';
import { rpcSelfService, wholeConfig } from './self-service.js';
import { RpcServer } from './server.js';

/**
 * RoadRunner's `rpc` plugin: a goridge RPC server on `rpc.listen` dispatching `Service.Method` to
 * every service contributed to {@link rpcServicesToken}. Disabled without an `rpc` section.
 */
export const rpcPlugin = definePlugin<{}, {}, RpcConfig>({
  name: 'rpc',
  kernel: '^0.1.0',
  description: 'goridge RPC server for PHP clients and rr reset/workers (rpc.listen)',
  collects: [rpcServicesToken],
  config: { schema: rpcSchema, compile: (raw, view) => compileRpcConfig(raw, view) },
  init(ctx) {
    const cfg = ctx.config;
    let server: RpcServer | undefined;
    return {
      async serve() {
        const contributed = ctx.collected(rpcServicesToken);
        const self = rpcSelfService(() => wholeConfig(ctx.rootConfig), ctx.kernel.version);
        const registry = new RpcRegistry([...contributed, { plugin: ctx.name, value: self }]);
        server = new RpcServer({ address: cfg.address, listen: cfg.listen, unixSocket: cfg.unixSocket, registry, logger: ctx.logger });
        const address = await server.listen();
        if (cfg.address.kind === 'tcp' && !isLoopbackHost(cfg.address.host)) {
          ctx.logger.warn('RPC server listens beyond loopback: anyone who can reach this address can reset workers and call every RPC method', {
            address,
            hint: 'use tcp://127.0.0.1:<port> or a unix socket unless remote access is intended',
          });
        }
        ctx.logger.debug('plugin was started', {
          address,
          'list of the plugins with RPC methods:': contributed.map((c) => c.value.name),
        });
      },
      // Deliberately not `drain`: PHP workers finishing in-flight requests may still open RPC
      // connections (kv, locks, metrics), and every plugin serving them stops before rpc does.
      async stop() {
        await server?.close();
      },
    };
  },
});

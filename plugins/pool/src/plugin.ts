import { readFileSync } from 'node:fs';
import { definePlugin } from '@rr/plugin-api';
import { poolFactoryToken } from '@rr/pool-api';
import { compileServerConfig, type ServerConfig } from './config.js';
import { ServerPoolFactory } from './factory.js';
import { deathSignalLauncher } from './launcher.js';
import { runOnInit } from './on-init.js';

const schema = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as object;

/** RoadRunner's RPC plugin default, used for RR_RPC when the `rpc` section has no `listen`. */
const DEFAULT_RPC_LISTEN = 'tcp://127.0.0.1:6001';

/**
 * RoadRunner's `server` plugin: starts PHP workers and hands out worker pools (`pool.factory`).
 * Its config section, its plugin name and its logger are all `server`, as RoadRunner's are (Laravel
 * Octane reads worker output from `"logger":"server"` lines).
 */
export const poolPlugin = definePlugin({
  name: 'server',
  kernel: '^0.1.0',
  description: 'PHP worker processes and pools (pool.factory); configured by the server section',
  provides: [poolFactoryToken],
  config: {
    schema,
    compile: (raw, view): ServerConfig => compileServerConfig(raw, view),
  },
  init(ctx) {
    const view = ctx.rootConfig;
    const rpc = view.has('rpc') ? String(view.get('rpc.listen') ?? '') || DEFAULT_RPC_LISTEN : undefined;
    const logger = ctx.loggers.named('server');
    const factory = new ServerPoolFactory({
      server: ctx.config,
      rpc,
      version: ctx.kernel.version,
      cwd: view.workDir,
      logger,
    });
    ctx.provide(poolFactoryToken, factory);
    return {
      async serve(signal) {
        const onInit = ctx.config.onInit;
        if (onInit !== undefined) {
          await runOnInit(onInit, { logger, cwd: view.workDir, processEnv: process.env, launcher: deathSignalLauncher(), signal });
        }
      },
      async stop(signal) {
        await factory.close(signal);
      },
    };
  },
});

import { definePlugin, errorCode, RrError } from '@rr/plugin-api';
import { kvDriversToken } from '@rr/kv-api';
import type { KvStorage } from '@rr/kv-api';
import { rpcServicesToken } from '@rr/rpc-api';
import { compileKvConfig } from './config.js';
import type { KvConfig } from './config.js';
import { KvErrorCodes } from './errors.js';
import { kvSchema } from './schema.js';
import { kvService } from './service.js';

/**
 * RoadRunner's `kv`: opens every storage of the `kv` section on the driver it names (drivers are
 * other plugins contributing to `kvDriversToken`) and serves them over the `kv.*` RPC methods.
 */
export const kvPlugin = definePlugin({
  name: 'kv',
  kernel: '^0.1.0',
  description: 'kv storages (memory, redis, memcached, boltdb drivers) over the kv.* RPC methods',
  collects: [kvDriversToken],
  contributes: [rpcServicesToken],
  config: { schema: kvSchema, compile: (raw, view): KvConfig => compileKvConfig(raw, view) },
  init(ctx) {
    const storages = new Map<string, KvStorage>();
    ctx.contribute(rpcServicesToken, kvService((name) => storages.get(name)));
    return {
      async serve() {
        const drivers = new Map(ctx.collected(kvDriversToken).map((c) => [c.value.name, c.value]));
        for (const storage of ctx.config.storages) {
          const driver = drivers.get(storage.driver);
          if (driver === undefined) {
            // RoadRunner logs and skips a storage whose driver is not in the binary.
            ctx.logger.warn('no constructors registered', { requested: storage.driver, storage: storage.name, available: [...drivers.keys()] });
            continue;
          }
          if (storage.source === 'defaults') {
            ctx.logger.warn('no configuration found for the storage, using the driver defaults', { storage: storage.name, driver: storage.driver });
          }
          try {
            const opened = await driver.open(storage.config, { storage: storage.name, logger: ctx.loggers.named(storage.driver), rootConfig: ctx.rootConfig });
            storages.set(storage.name, opened);
          } catch (err) {
            await closeAll(storages);
            if (errorCode(err) === 'RR_ERR_CONFIG_INVALID') throw err;
            throw new RrError(
              KvErrorCodes.STORAGE_OPEN,
              `kv: storage "${storage.name}" (driver ${storage.driver}) could not be opened: ${(err as Error).message ?? String(err)}; check kv.${storage.name}.config and that the backend is reachable`,
              { cause: err },
            );
          }
          ctx.logger.debug('storage opened', { storage: storage.name, driver: storage.driver });
        }
      },
      async stop() {
        await closeAll(storages);
      },
    };
  },
});

async function closeAll(storages: Map<string, KvStorage>): Promise<void> {
  const open = [...storages.values()];
  storages.clear();
  await Promise.allSettled(open.map((s) => s.close()));
}

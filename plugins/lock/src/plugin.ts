import { definePlugin } from '@rr/plugin-api';
import { rpcServicesToken } from '@rr/rpc-api';
import { compileRedisConfig, createRedisClient } from '@rr/plugin-redis';
import type { LockBackend } from './backend.js';
import { compileLockConfig } from './config.js';
import { MemoryLockBackend } from './memory-backend.js';
import { RedisLockBackend } from './redis-backend.js';
import { lockService } from './service.js';

/**
 * RoadRunner's `lock`: always enabled. Without a `lock` section locks live in this rr's memory;
 * `lock: { driver: redis, config: {...} }` keeps them in Redis so several rr instances share them.
 * The section is read here rather than through `config` because a missing section must not
 * disable the plugin.
 */
export const lockPlugin = definePlugin({
  name: 'lock',
  kernel: '^0.1.0',
  description: 'read/write locks with TTLs over the lock.* RPC methods (memory or redis)',
  contributes: [rpcServicesToken],
  async init(ctx) {
    const cfg = compileLockConfig(ctx.rootConfig.get('lock'));
    let backend: LockBackend;
    if (cfg.driver === 'redis') {
      const redisCfg = compileRedisConfig(cfg.redis, 'lock.config', ctx.rootConfig.workDir);
      const client = createRedisClient(redisCfg);
      try {
        await client.connect();
        await client.ping();
      } catch (err) {
        client.disconnect();
        throw new Error(`lock: cannot reach Redis at ${redisCfg.addrs.join(', ')}: ${(err as Error).message}; check lock.config.addrs and that Redis runs`, { cause: err });
      }
      backend = new RedisLockBackend(client, cfg.prefix, ctx.logger);
      ctx.logger.info('lock backend initialized', { driver: 'redis', addrs: redisCfg.addrs, db: redisCfg.db });
    } else {
      backend = new MemoryLockBackend();
      ctx.logger.debug('lock backend initialized', { driver: 'memory' });
    }
    ctx.contribute(rpcServicesToken, lockService(() => backend));
    return {
      async stop() {
        await backend.close();
      },
    };
  },
});

import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { createMemoryLogging } from '@rr/kernel';
import { compileRedisConfig, createRedisClient } from '@rr/plugin-redis';
import { backendContract } from '../test/backend-contract.js';
import { RedisLockBackend } from './redis-backend.js';

describe('redis lock backend (real Redis at 127.0.0.1:6379)', () => {
  backendContract(async () => {
    const client = createRedisClient(compileRedisConfig({ addrs: ['127.0.0.1:6379'] }, 'lock.config', '/'));
    await client.connect().catch((err: unknown) => {
      throw new Error(`Redis does not answer at 127.0.0.1:6379; start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log (${String(err)})`);
    });
    return new RedisLockBackend(client, `rr-test-lock-${process.pid}-${randomBytes(4).toString('hex')}:`, createMemoryLogging().named('lock'));
  });
});

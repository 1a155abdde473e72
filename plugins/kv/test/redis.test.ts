import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { redisPlugin } from '@rr/plugin-redis';
import { kvPlugin } from '../src/plugin.js';
import { startRr } from '../src/test-kernel.js';
import { kvContract } from './php-contract.js';

// Real Redis (ENVIRONMENT.md: 127.0.0.1:6379). A unique prefix per run keeps parallel runs apart,
// and makes Clear remove only this run's keys.
const prefix = `rr-test-kv-${process.pid}-${randomBytes(4).toString('hex')}:`;

async function start() {
  try {
    return await startRr([kvPlugin, redisPlugin], { kv: { cache: { driver: 'redis', config: { addrs: ['127.0.0.1:6379'], prefix } } } });
  } catch (err) {
    throw new Error(`Redis at 127.0.0.1:6379 does not answer; start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log\n${String(err)}`);
  }
}

describe('kv redis driver, from PHP', () => {
  kvContract({ start, storage: 'cache', ttlSupported: true });
});

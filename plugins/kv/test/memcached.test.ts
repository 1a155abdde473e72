import { afterAll, describe } from 'vitest';
import { memcachedPlugin } from '@rr/plugin-memcached';
import { kvPlugin } from '../src/plugin.js';
import { startRr } from '../src/test-kernel.js';
import { kvContract } from './php-contract.js';
import { startMemcached, type Memcached } from './memcached-server.js';

describe('kv memcached driver, from PHP (a private memcached process)', () => {
  let server: Memcached | undefined;
  afterAll(async () => { await server?.stop(); });
  kvContract({
    start: async () => {
      server = await startMemcached();
      return startRr([kvPlugin, memcachedPlugin], { kv: { mc: { driver: 'memcached', config: { addr: [server.addr] } } } });
    },
    storage: 'mc',
    ttlSupported: false,
  });
});

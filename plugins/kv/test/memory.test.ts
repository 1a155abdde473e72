import { describe } from 'vitest';
import { memoryPlugin } from '@rr/plugin-memory';
import { kvPlugin } from '../src/plugin.js';
import { startRr } from '../src/test-kernel.js';
import { kvContract } from './php-contract.js';

describe('kv memory driver, from PHP', () => {
  kvContract({
    start: () => startRr([kvPlugin, memoryPlugin], { kv: { cache: { driver: 'memory', config: {} } } }),
    storage: 'cache',
    ttlSupported: true,
  });
});

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boltdbPlugin } from '@rr/plugin-boltdb';
import { kvPlugin } from '../src/plugin.js';
import { startRr } from '../src/test-kernel.js';
import { kvContract, phpOps } from './php-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'rr-boltdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kv boltdb driver, from PHP', () => {
  kvContract({
    start: () => startRr([kvPlugin, boltdbPlugin], { kv: { bolt: { driver: 'boltdb', config: { file: join(dir, 'contract.db'), permissions: 600 } } } }),
    storage: 'bolt',
    ttlSupported: true,
  });

  it('keeps values across an rr restart (durable), with the file mode asked for', async () => {
    const file = join(dir, 'durable.db');
    const data = { kv: { bolt: { driver: 'boltdb', config: { file, permissions: '0640' } } } };
    let rr = await startRr([kvPlugin, boltdbPlugin], data);
    expect(await phpOps(() => rr)('bolt', [{ op: 'set', key: 'kept', value: ['x', 1] }, { op: 'set', key: 'brief', value: 1, ttl: 1 }])).toEqual([true, true]);
    await rr.close();
    expect(statSync(file).mode & 0o777).toBe(0o640);
    rr = await startRr([kvPlugin, boltdbPlugin], data);
    try {
      const [kept, waited, brief] = await phpOps(() => rr)('bolt', [
        { op: 'get', key: 'kept' },
        { op: 'untilMissing', key: 'brief', within: 5 },
        { op: 'get', key: 'brief' },
      ]);
      expect(kept).toEqual(['x', 1]);
      expect(waited).toBeGreaterThanOrEqual(0);
      expect(brief).toBeNull();
    } finally {
      await rr.close();
    }
  });
});

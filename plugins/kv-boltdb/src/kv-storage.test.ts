import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import { BoltdbKvStorage, compileBoltdbConfig, parsePermissions } from './kv-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'rr-boltdb-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('boltdb kv storage', () => {
  it('reads RoadRunner permissions written either way YAML parses them', () => {
    expect(parsePermissions(undefined, 'p')).toBe(0o755);
    expect(parsePermissions(493, 'p')).toBe(0o755);
    expect(parsePermissions(755, 'p')).toBe(0o755);
    expect(parsePermissions('0644', 'p')).toBe(0o644);
    expect(() => parsePermissions(999, 'p')).toThrow(/permissions/);
    expect(compileBoltdbConfig({}, 'kv.b.config', '/srv/app')).toEqual({ file: '/srv/app/rr.db', permissions: 0o755, intervalS: 60 });
    expect(() => compileBoltdbConfig({ interval: 0 }, 'kv.b.config', '/')).toThrow(/kv\.b\.config\.interval/);
  });

  it('the sweep removes expired records from the file, not only from reads', async () => {
    const root = open({ path: join(dir, 'sweep.db') });
    const storage = new BoltdbKvStorage(root, root.openDB({ name: 'kv:t' }), 3600);
    await storage.set([{ key: 'old', value: Buffer.from('1'), expiresAt: Date.now() - 1 }, { key: 'new', value: Buffer.from('2') }]);
    expect(await storage.has(['old', 'new'])).toEqual(['new']);
    expect(await storage.sweep()).toBe(1);
    expect(await storage.sweep()).toBe(0);
    await storage.close();
  });
});

import { chmodSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import { ConfigError } from '@rr/plugin-api';
import type { KvDriver, KvEntry, KvExpiry, KvStorage } from '@rr/kv-api';

/** RoadRunner's boltdb keys, compiled. */
export interface BoltdbConfig {
  readonly file: string;
  readonly permissions: number;
  /** Seconds between sweeps of expired keys (reads never return them either way). */
  readonly intervalS: number;
}

interface Record_ {
  /** The value bytes. */
  v: Uint8Array;
  /** Expiry, Unix ms; absent = never. */
  e?: number;
}

/**
 * YAML 1.1 reads `0755` as 493, YAML 1.2 as 755: a number above 0o777 is taken as octal digits
 * written in decimal, one at most 0o777 as the mode itself; a string is parsed as octal.
 */
export function parsePermissions(raw: unknown, path: string): number {
  if (raw === undefined || raw === null) return 0o755;
  if (typeof raw === 'string' && /^0?[0-7]{3,4}$/.test(raw)) return parseInt(raw, 8);
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0) {
    if (raw <= 0o777) return raw;
    if (/^[0-7]{3,4}$/.test(String(raw))) return parseInt(String(raw), 8);
  }
  throw new ConfigError(path, 'file permissions such as 0755 or "0644"', raw);
}

export function compileBoltdbConfig(raw: Readonly<Record<string, unknown>>, path: string, workDir: string): BoltdbConfig {
  const file = raw['file'] ?? 'rr.db';
  if (typeof file !== 'string' || file === '') throw new ConfigError(`${path}.file`, 'a file path such as rr.db', file);
  const interval = raw['interval'] ?? 60;
  if (typeof interval !== 'number' || !(interval > 0)) throw new ConfigError(`${path}.interval`, 'a positive number of seconds', interval);
  return {
    file: isAbsolute(file) ? file : resolve(workDir, file),
    permissions: parsePermissions(raw['permissions'], `${path}.permissions`),
    intervalS: interval,
  };
}

/**
 * A durable storage in one LMDB file (a named database per storage, so several storages may share
 * a file). Writes are committed before the RPC reply goes out.
 */
export class BoltdbKvStorage implements KvStorage {
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly root: RootDatabase, private readonly db: Database<Record_, string>, intervalS: number) {
    this.sweeper = setInterval(() => { void this.sweep(); }, intervalS * 1000);
    this.sweeper.unref();
  }

  private live(key: string, now = Date.now()): Record_ | undefined {
    const rec = this.db.get(key);
    if (rec === undefined || (rec.e !== undefined && rec.e <= now)) return undefined;
    return rec;
  }

  async sweep(): Promise<number> {
    const now = Date.now();
    const expired: string[] = [];
    for (const { key, value } of this.db.getRange()) {
      if (value.e !== undefined && value.e <= now) expired.push(key);
    }
    if (expired.length > 0) {
      await this.db.transaction(() => {
        for (const key of expired) {
          const rec = this.db.get(key);
          if (rec?.e !== undefined && rec.e <= now) this.db.remove(key);
        }
      });
    }
    return expired.length;
  }

  async has(keys: readonly string[]): Promise<string[]> {
    return keys.filter((key) => this.live(key) !== undefined);
  }

  async set(entries: readonly KvEntry[]): Promise<void> {
    await this.db.transaction(() => {
      for (const e of entries) {
        const rec: Record_ = e.expiresAt === undefined ? { v: Buffer.from(e.value) } : { v: Buffer.from(e.value), e: e.expiresAt };
        this.db.put(e.key, rec);
      }
    });
  }

  async mget(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const key of keys) {
      const rec = this.live(key);
      if (rec !== undefined) out.set(key, rec.v);
    }
    return out;
  }

  async mexpire(expiries: readonly KvExpiry[]): Promise<void> {
    await this.db.transaction(() => {
      for (const { key, expiresAt } of expiries) {
        const rec = this.live(key);
        if (rec !== undefined) this.db.put(key, { v: rec.v, e: expiresAt });
      }
    });
  }

  async ttl(keys: readonly string[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const key of keys) {
      const rec = this.live(key);
      if (rec !== undefined) out.set(key, rec.e ?? null);
    }
    return out;
  }

  async delete(keys: readonly string[]): Promise<void> {
    await this.db.transaction(() => {
      for (const key of keys) this.db.remove(key);
    });
  }

  async clear(): Promise<void> {
    await this.db.clearAsync();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.root.close();
  }
}

export const boltdbKvDriver: KvDriver = {
  name: 'boltdb',
  async open(config, ctx) {
    const cfg = compileBoltdbConfig(config, `kv.${ctx.storage}.config`, ctx.rootConfig.workDir);
    // lmdb (and its native addon) loads only when a boltdb storage opens.
    const { open } = await import('lmdb');
    const root = open({ path: cfg.file, compression: false });
    try {
      chmodSync(cfg.file, cfg.permissions);
    } catch (err) {
      ctx.logger.warn('could not set the permissions of the boltdb file', { file: cfg.file, error: (err as Error).message });
    }
    const db = root.openDB<Record_, string>({ name: `kv:${ctx.storage}` });
    ctx.logger.debug('boltdb storage opened', { storage: ctx.storage, file: cfg.file });
    return new BoltdbKvStorage(root, db, cfg.intervalS);
  },
};

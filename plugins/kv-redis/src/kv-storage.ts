import type { Cluster, Redis } from 'ioredis';
import type { KvDriver, KvEntry, KvExpiry, KvStorage } from '@rr/kv-api';
import { compileRedisConfig, createRedisClient } from './client.js';

/** A kv storage on Redis: values as strings of bytes, TTLs as Redis expiries (PEXPIREAT). */
export class RedisKvStorage implements KvStorage {
  constructor(private readonly client: Redis | Cluster, private readonly prefix: string) {}

  private k(key: string): string {
    return this.prefix + key;
  }

  async has(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.exists(this.k(key));
    const results = (await pipeline.exec()) ?? [];
    return keys.filter((_, i) => {
      const [err, n] = results[i] ?? [null, 0];
      if (err) throw err;
      return n === 1;
    });
  }

  async set(entries: readonly KvEntry[]): Promise<void> {
    const multi = this.client.multi();
    for (const e of entries) {
      const value = Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength);
      if (e.expiresAt === undefined) multi.set(this.k(e.key), value);
      else multi.set(this.k(e.key), value, 'PXAT', Math.max(1, Math.round(e.expiresAt)));
    }
    await execChecked(multi);
  }

  async mget(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (keys.length === 0) return out;
    // One MGET per key keeps cluster slots out of the way; pipelined, so still one round trip.
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.getBuffer(this.k(key));
    const results = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const [err, value] = results[i] ?? [null, null];
      if (err) throw err;
      if (value !== null) out.set(key, value as Buffer);
    });
    return out;
  }

  async mexpire(expiries: readonly KvExpiry[]): Promise<void> {
    if (expiries.length === 0) return;
    const multi = this.client.multi();
    for (const { key, expiresAt } of expiries) multi.pexpireat(this.k(key), Math.round(expiresAt));
    await execChecked(multi);
  }

  async ttl(keys: readonly string[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    if (keys.length === 0) return out;
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.pexpiretime(this.k(key));
    const results = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const [err, at] = results[i] ?? [null, -2];
      if (err) throw err;
      // -2: no such key; -1: no expiry.
      if (at === -1) out.set(key, null);
      else if (typeof at === 'number' && at >= 0) out.set(key, at);
    });
    return out;
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const key of keys) pipeline.del(this.k(key));
    await execChecked(pipeline);
  }

  async clear(): Promise<void> {
    if (this.prefix === '') {
      // RoadRunner's redis Clear empties the whole database.
      const nodes = 'nodes' in this.client ? this.client.nodes('master') : [this.client];
      await Promise.all(nodes.map((n) => n.flushdb()));
      return;
    }
    const nodes = 'nodes' in this.client ? this.client.nodes('master') : [this.client];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', `${escapeGlob(this.prefix)}*`, 'COUNT', 500);
        cursor = next;
        if (found.length > 0) {
          const pipeline = node.pipeline();
          for (const key of found) pipeline.unlink(key);
          await execChecked(pipeline);
        }
      } while (cursor !== '0');
    }
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

async function execChecked(batch: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<void> {
  for (const [err] of (await batch.exec()) ?? []) if (err) throw err;
}

/** The `redis` kv driver: RoadRunner's redis keys (+ rr's `prefix`). */
export const redisKvDriver: KvDriver = {
  name: 'redis',
  async open(config, ctx) {
    const cfg = compileRedisConfig(config, `kv.${ctx.storage}.config`, ctx.rootConfig.workDir);
    const client = createRedisClient(cfg);
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect();
      throw new Error(`cannot reach Redis at ${cfg.addrs.join(', ')}: ${(err as Error).message}`, { cause: err });
    }
    ctx.logger.debug('redis storage connected', { storage: ctx.storage, addrs: cfg.addrs, db: cfg.db });
    return new RedisKvStorage(client, cfg.prefix);
  },
};

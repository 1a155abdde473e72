import type memjs from 'memjs';
import { ConfigError } from '@rr/plugin-api';
import { KvNotSupportedError } from '@rr/kv-api';
import type { KvDriver, KvEntry, KvExpiry, KvStorage } from '@rr/kv-api';

type Client = memjs.Client<Buffer, Buffer | null>;

/** memcached reads an expiry above 30 days as an absolute Unix time. */
const RELATIVE_LIMIT_S = 30 * 24 * 3600;

/** Seconds as memcached wants them; 0 means "never", so an instant in the past gives -1 (delete). */
export function memcachedExpiry(expiresAt: number | undefined, now = Date.now()): number {
  if (expiresAt === undefined) return 0;
  const seconds = Math.ceil((expiresAt - now) / 1000);
  if (seconds <= 0) return -1;
  return seconds > RELATIVE_LIMIT_S ? Math.ceil(expiresAt / 1000) : seconds;
}

/**
 * A kv storage on memcached. memcached cannot report a key's expiry, so TTL answers with
 * RoadRunner's `memcached_plugin_ttl` error (PHP: NotImplementedException); Clear flushes the
 * whole server, as RoadRunner does.
 */
export class MemcachedKvStorage implements KvStorage {
  constructor(private readonly client: Client) {}

  async has(keys: readonly string[]): Promise<string[]> {
    return [...(await this.mget(keys)).keys()];
  }

  async set(entries: readonly KvEntry[]): Promise<void> {
    await Promise.all(entries.map(async (e) => {
      const expires = memcachedExpiry(e.expiresAt);
      if (expires < 0) {
        await this.client.delete(e.key);
        return;
      }
      const ok = await this.client.set(e.key, Buffer.from(e.value), { expires });
      if (!ok) throw new Error(`memcached refused to store key "${e.key}"`);
    }));
  }

  async mget(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const values = await Promise.all(keys.map((key) => this.client.get(key)));
    const out = new Map<string, Uint8Array>();
    keys.forEach((key, i) => {
      const v = values[i]?.value;
      if (v !== null && v !== undefined) out.set(key, v);
    });
    return out;
  }

  async mexpire(expiries: readonly KvExpiry[]): Promise<void> {
    await Promise.all(expiries.map(async ({ key, expiresAt }) => {
      const expires = memcachedExpiry(expiresAt);
      if (expires < 0) await this.client.delete(key);
      else await this.client.touch(key, expires);
    }));
  }

  async ttl(): Promise<Map<string, number | null>> {
    throw new KvNotSupportedError('memcached_plugin_ttl: not valid request for memcached (it cannot report expiries)');
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.client.delete(key)));
  }

  async clear(): Promise<void> {
    await this.client.flush();
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

/** `addr` as RoadRunner: a list of host:port (a single string is accepted too). */
export function compileMemcachedAddrs(config: Readonly<Record<string, unknown>>, path: string): string[] {
  const raw = config['addr'] ?? ['127.0.0.1:11211'];
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
  if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === 'string' && /^.+:\d+$/.test(a))) {
    throw new ConfigError(`${path}.addr`, 'a list of host:port addresses such as ["127.0.0.1:11211"]', raw);
  }
  return list as string[];
}

export const memcachedKvDriver: KvDriver = {
  name: 'memcached',
  async open(config, ctx) {
    const addrs = compileMemcachedAddrs(config, `kv.${ctx.storage}.config`);
    // Loaded only when a memcached storage opens, so rr without one never pays for memjs.
    const { default: memjsLib } = await import('memjs');
    const client = memjsLib.Client.create<Buffer, Buffer | null>(addrs.join(','), {
      retries: 1,
      timeout: 2,
      logger: { log: (...args: unknown[]) => ctx.logger.debug('memjs', { detail: args.map(String).join(' ') }) },
    });
    try {
      // memjs connects on first use: fail at start-up, not on the first PHP call.
      await client.get('rr-kv-ping');
    } catch (err) {
      client.close();
      throw new Error(`cannot reach memcached at ${addrs.join(', ')}: ${(err as Error).message}`, { cause: err });
    }
    return new MemcachedKvStorage(client);
  },
};

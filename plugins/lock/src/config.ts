import { ConfigError } from '@rr/plugin-api';

/** The optional `lock` section (RoadRunner: `driver: memory | redis` plus the redis `config`). */
export type LockConfig =
  | { readonly driver: 'memory' }
  | { readonly driver: 'redis'; readonly redis: Readonly<Record<string, unknown>>; readonly prefix: string };

/** Prefix of the Redis keys holding locks; RoadRunner's fixed `rr:lock:`, overridable for isolation. */
export const DEFAULT_LOCK_PREFIX = 'rr:lock:';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** No section (or `lock:` alone) = memory, as RoadRunner, whose lock plugin takes no config. */
export function compileLockConfig(raw: unknown): LockConfig {
  if (raw === undefined || raw === null) return { driver: 'memory' };
  if (!isObject(raw)) throw new ConfigError('lock', 'an object such as { driver: redis, config: { addrs: ["127.0.0.1:6379"] } }', raw);
  for (const key of Object.keys(raw)) {
    if (key !== 'driver' && key !== 'config') throw new ConfigError(`lock.${key}`, 'one of the keys driver, config', raw[key]);
  }
  const driver = raw['driver'] ?? 'memory';
  if (driver === 'memory') return { driver: 'memory' };
  if (driver !== 'redis') throw new ConfigError('lock.driver', 'memory or redis', driver);
  const config = raw['config'] ?? {};
  if (!isObject(config)) throw new ConfigError('lock.config', 'an object of redis options (addrs, username, password, db, …)', config);
  const prefix = config['prefix'] ?? DEFAULT_LOCK_PREFIX;
  if (typeof prefix !== 'string' || prefix === '') throw new ConfigError('lock.config.prefix', 'a non-empty string', prefix);
  return { driver: 'redis', redis: config, prefix };
}

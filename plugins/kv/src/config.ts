import type { ConfigView } from '@rr/plugin-api';
import { ConfigError } from '@rr/plugin-api';

/** One storage of the `kv` section, with its driver options resolved. */
export interface StorageConfig {
  readonly name: string;
  readonly driver: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Where the options came from, for the log line. */
  readonly source: 'config' | 'global' | 'defaults';
}

export interface KvConfig {
  readonly storages: readonly StorageConfig[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * RoadRunner's lookup: `kv.<name>.config`, else the top-level section named like the storage
 * (e.g. a shared `redis:` section), else the driver's defaults.
 */
export function compileKvConfig(raw: unknown, view: ConfigView): KvConfig {
  if (raw === null || raw === undefined) return { storages: [] };
  if (!isObject(raw)) throw new ConfigError('kv', 'a map of storage name to { driver, config }', raw);
  const storages: StorageConfig[] = [];
  for (const [name, entry] of Object.entries(raw)) {
    if (!isObject(entry)) throw new ConfigError(`kv.${name}`, 'an object with a driver key', entry);
    const driver = entry['driver'];
    if (typeof driver !== 'string' || driver === '') throw new ConfigError(`kv.${name}.driver`, 'a driver name such as memory or redis', driver);
    const own = entry['config'];
    if (own !== undefined && own !== null && !isObject(own)) throw new ConfigError(`kv.${name}.config`, 'an object of driver options', own);
    const global = view.get(name);
    if (isObject(own)) storages.push({ name, driver, config: own, source: 'config' });
    else if (isObject(global)) storages.push({ name, driver, config: global, source: 'global' });
    else storages.push({ name, driver, config: {}, source: 'defaults' });
  }
  return { storages };
}

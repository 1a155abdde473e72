import { defineToken } from '@rr/plugin-api';
import type { ConfigView, Logger } from '@rr/plugin-api';
import type { KvStorage } from './storage.js';

/** What a driver gets when the kv plugin opens one storage. @public */
export interface KvOpenContext {
  /** The storage's name (its key under `kv`). */
  readonly storage: string;
  /** A logger named after the driver. */
  readonly logger: Logger;
  /** The whole configuration, for relative paths (`workDir`) and nothing else. */
  readonly rootConfig: ConfigView;
}

/**
 * A kv driver contributed by a plugin (`memory`, `redis`, `memcached`, `boltdb`, or third-party).
 * `open` receives the storage's `config` (or the top-level section named like the storage, as
 * RoadRunner does; `{}` when neither exists). It validates that config itself: throw a
 * `ConfigError` naming the key, or any error with a `code`.
 * @public
 */
export interface KvDriver {
  /** The value users write in `kv.<storage>.driver`. */
  readonly name: string;
  open(config: Readonly<Record<string, unknown>>, ctx: KvOpenContext): Promise<KvStorage> | KvStorage;
}

/** Registry of kv drivers (multi token): driver plugins contribute, the `kv` plugin collects. @public */
export const kvDriversToken = defineToken<KvDriver>('kv.drivers', { multi: true });

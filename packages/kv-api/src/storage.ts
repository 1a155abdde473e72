/**
 * One value to store. `expiresAt` is an absolute time in Unix milliseconds (the RPC layer turns
 * RoadRunner's RFC 3339 timeouts into it); undefined means "never expires".
 * @public
 */
export interface KvEntry {
  readonly key: string;
  readonly value: Uint8Array;
  readonly expiresAt?: number | undefined;
}

/** A new expiry for an existing key (`kv.MExpire`). @public */
export interface KvExpiry {
  readonly key: string;
  readonly expiresAt: number;
}

/**
 * What a kv driver opens for one storage of the `kv` section. Every method takes a batch because
 * the RPC calls do; values are opaque bytes (PHP's serializer output). Keys that are missing or
 * expired are simply absent from results: a storage never invents an entry.
 * @public
 */
export interface KvStorage {
  /** The keys among `keys` that exist now. */
  has(keys: readonly string[]): Promise<string[]>;
  set(entries: readonly KvEntry[]): Promise<void>;
  /** The values of the keys that exist; missing keys are left out. */
  mget(keys: readonly string[]): Promise<Map<string, Uint8Array>>;
  /** Sets a new expiry on each existing key; missing keys are ignored. */
  mexpire(expiries: readonly KvExpiry[]): Promise<void>;
  /**
   * Expiry (Unix ms) of each existing key, `null` for a key without expiry. A driver that cannot
   * tell throws a {@link KvNotSupportedError} (PHP turns it into `NotImplementedException`).
   */
  ttl(keys: readonly string[]): Promise<Map<string, number | null>>;
  delete(keys: readonly string[]): Promise<void>;
  /** Removes every key of this storage (and only of this storage where the backend allows). */
  clear(): Promise<void>;
  /** Releases connections, timers and files. Called once when rr stops. */
  close(): Promise<void>;
}

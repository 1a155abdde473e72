/**
 * Thrown by a storage for an operation its backend cannot do (memcached cannot report TTLs). The
 * message carries `<driver>_plugin_ttl` for TTL, the substring RoadRunner's PHP client matches.
 * @public
 */
export class KvNotSupportedError extends Error {
  readonly code = 'RR_ERR_KV_NOT_SUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'KvNotSupportedError';
  }
}

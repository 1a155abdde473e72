/**
 * Where locks live. Times are microseconds as on the wire; ttl 0 = until released. `waitUs` bounds
 * how long an acquisition may wait for the resource (0 = one attempt).
 */
export interface LockBackend {
  lock(resource: string, id: string, ttlUs: number, waitUs: number): Promise<boolean>;
  lockRead(resource: string, id: string, ttlUs: number, waitUs: number): Promise<boolean>;
  /** Removes `id`'s lock (write or read); false when it holds none. */
  release(resource: string, id: string): Promise<boolean>;
  /** Removes every lock on the resource; true only when at least one was removed. */
  forceRelease(resource: string): Promise<boolean>;
  /** Does `id` hold a lock on the resource (`*`: does anyone)? */
  exists(resource: string, id: string): Promise<boolean>;
  /** Replaces `id`'s TTL, counted from now; false when it holds no lock. */
  updateTtl(resource: string, id: string, ttlUs: number): Promise<boolean>;
  close(): Promise<void>;
}

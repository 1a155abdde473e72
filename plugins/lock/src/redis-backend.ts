import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '@rr/plugin-api';
import type { LockBackend } from './backend.js';

// One sorted set per resource: members "w:<id>" (the writer) and "r:<id>" (readers), score = expiry
// in Redis server milliseconds (+inf = until released). Every script first drops expired members,
// so Redis's clock alone decides expiry, and checks ownership in the same atomic step: a release
// or TTL update by anyone but the owner's id changes nothing.
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local function score(ttl_us)
  if tonumber(ttl_us) <= 0 then return '+inf' end
  return now + math.ceil(tonumber(ttl_us) / 1000)
end
local function keep_key()
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if #last == 0 then return end
  if last[2] == 'inf' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIREAT', KEYS[1], last[2]) end
end
`;

// KEYS[1] set, ARGV: id, ttl_us
const LOCK = `${PRELUDE}
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
if #members > 1 then return 0 end
if #members == 1 and members[1] ~= 'r:' .. ARGV[1] then return 0 end
redis.call('ZREM', KEYS[1], 'r:' .. ARGV[1])
redis.call('ZADD', KEYS[1], score(ARGV[2]), 'w:' .. ARGV[1])
keep_key()
return 1`;

const LOCK_READ = `${PRELUDE}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, 2) == 'w:' then return 0 end
end
if redis.call('ZSCORE', KEYS[1], 'r:' .. ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], score(ARGV[2]), 'r:' .. ARGV[1])
keep_key()
return 1`;

// KEYS[1] set; ARGV: id, channel (an argument, not a key: a cluster would refuse a second slot)
const RELEASE = `${PRELUDE}
local n = redis.call('ZREM', KEYS[1], 'w:' .. ARGV[1], 'r:' .. ARGV[1])
if n > 0 then redis.call('PUBLISH', ARGV[2], 'released') end
return n`;

const FORCE_RELEASE = `${PRELUDE}
local n = redis.call('ZCARD', KEYS[1])
redis.call('DEL', KEYS[1])
if n > 0 then redis.call('PUBLISH', ARGV[1], 'released') end
return n`;

const EXISTS = `${PRELUDE}
if ARGV[1] == '*' then return redis.call('ZCARD', KEYS[1]) end
if redis.call('ZSCORE', KEYS[1], 'w:' .. ARGV[1]) or redis.call('ZSCORE', KEYS[1], 'r:' .. ARGV[1]) then return 1 end
return 0`;

const UPDATE_TTL = `${PRELUDE}
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', score(ARGV[2]), 'w:' .. ARGV[1])
  + redis.call('ZADD', KEYS[1], 'XX', 'CH', score(ARGV[2]), 'r:' .. ARGV[1])
local held = redis.call('ZSCORE', KEYS[1], 'w:' .. ARGV[1]) or redis.call('ZSCORE', KEYS[1], 'r:' .. ARGV[1])
keep_key()
if held then return 1 end
return 0`;

/** How often a waiting acquisition retries even without a release notice (TTL expiry publishes none). */
const POLL_MS = 50;

/**
 * Locks on one Redis server, shared by every rr instance pointing at it. Not Redlock: one Redis
 * (or one primary) is the single source of truth; a failover may lose locks that were not yet
 * replicated.
 */
export class RedisLockBackend implements LockBackend {
  private subscriber: Redis | Cluster | undefined;
  private readonly waiting = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(private readonly client: Redis | Cluster, private readonly prefix: string, private readonly logger: Logger) {}

  private key(resource: string): string {
    return `${this.prefix}${resource}`;
  }

  private channel(resource: string): string {
    return `${this.prefix}released:${resource}`;
  }

  private async run(script: string, keys: string[], args: Array<string | number>): Promise<number> {
    return Number(await this.client.eval(script, keys.length, ...keys, ...args));
  }

  private async subscribe(resource: string, wake: () => void): Promise<() => Promise<void>> {
    if (this.subscriber === undefined) {
      this.subscriber = this.client.duplicate();
      this.subscriber.on('message', (channel: string) => {
        for (const w of this.waiting.get(channel) ?? []) w();
      });
      this.subscriber.on('error', (err: Error) => this.logger.error('lock pub/sub connection failed', { error: err.message }));
    }
    const channel = this.channel(resource);
    let set = this.waiting.get(channel);
    if (set === undefined) {
      set = new Set();
      this.waiting.set(channel, set);
      await this.subscriber.subscribe(channel);
    }
    set.add(wake);
    return async () => {
      set.delete(wake);
      if (set.size === 0 && this.waiting.get(channel) === set) {
        this.waiting.delete(channel);
        await this.subscriber?.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  private async acquire(resource: string, waitUs: number, attempt: () => Promise<number>): Promise<boolean> {
    if ((await attempt()) === 1) return true;
    if (waitUs <= 0 || this.closed) return false;
    const deadline = Date.now() + waitUs / 1000;
    let wakeUp: () => void = () => undefined;
    const unsubscribe = await this.subscribe(resource, () => wakeUp());
    try {
      while (!this.closed) {
        // Retried once more right after subscribing: a release between the first try and the
        // subscription published to nobody.
        if ((await attempt()) === 1) return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, POLL_MS));
          wakeUp = () => { clearTimeout(timer); resolve(); };
        });
      }
      return false;
    } finally {
      await unsubscribe();
    }
  }

  lock(resource: string, id: string, ttlUs: number, waitUs: number): Promise<boolean> {
    return this.acquire(resource, waitUs, () => this.run(LOCK, [this.key(resource)], [id, ttlUs]));
  }

  lockRead(resource: string, id: string, ttlUs: number, waitUs: number): Promise<boolean> {
    return this.acquire(resource, waitUs, () => this.run(LOCK_READ, [this.key(resource)], [id, ttlUs]));
  }

  async release(resource: string, id: string): Promise<boolean> {
    return (await this.run(RELEASE, [this.key(resource)], [id, this.channel(resource)])) > 0;
  }

  async forceRelease(resource: string): Promise<boolean> {
    return (await this.run(FORCE_RELEASE, [this.key(resource)], [this.channel(resource)])) > 0;
  }

  async exists(resource: string, id: string): Promise<boolean> {
    return (await this.run(EXISTS, [this.key(resource)], [id])) > 0;
  }

  async updateTtl(resource: string, id: string, ttlUs: number): Promise<boolean> {
    return (await this.run(UPDATE_TTL, [this.key(resource)], [id, ttlUs])) === 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of this.waiting.values()) for (const w of set) w();
    await Promise.allSettled([
      this.client.quit().catch(() => this.client.disconnect()),
      this.subscriber?.quit().catch(() => this.subscriber?.disconnect()),
    ]);
  }
}

import type { KvDriver, KvEntry, KvExpiry, KvStorage } from '@rr/kv-api';

interface Slot {
  value: Uint8Array;
  expiresAt: number | undefined;
}

/** How often expired keys are swept; reads never see them regardless. */
const SWEEP_MS = 1000;

/** A storage living in rr's heap: gone when rr stops, shared by every worker of this rr. */
export class MemoryKvStorage implements KvStorage {
  private readonly slots = new Map<string, Slot>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  private live(key: string): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt !== undefined && slot.expiresAt <= this.now()) {
      this.slots.delete(key);
      return undefined;
    }
    return slot;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, slot] of this.slots) {
      if (slot.expiresAt !== undefined && slot.expiresAt <= now) this.slots.delete(key);
    }
  }

  /** Keys currently held, expired or not; for tests of the sweeper. */
  get size(): number {
    return this.slots.size;
  }

  async has(keys: readonly string[]): Promise<string[]> {
    return keys.filter((key) => this.live(key) !== undefined);
  }

  async set(entries: readonly KvEntry[]): Promise<void> {
    // The value is copied: the decoder's buffer may be a view into a reused frame.
    for (const e of entries) this.slots.set(e.key, { value: Uint8Array.from(e.value), expiresAt: e.expiresAt });
  }

  async mget(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const key of keys) {
      const slot = this.live(key);
      if (slot !== undefined) out.set(key, slot.value);
    }
    return out;
  }

  async mexpire(expiries: readonly KvExpiry[]): Promise<void> {
    for (const { key, expiresAt } of expiries) {
      const slot = this.live(key);
      if (slot !== undefined) slot.expiresAt = expiresAt;
    }
  }

  async ttl(keys: readonly string[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const key of keys) {
      const slot = this.live(key);
      if (slot !== undefined) out.set(key, slot.expiresAt ?? null);
    }
    return out;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.slots.delete(key);
  }

  async clear(): Promise<void> {
    this.slots.clear();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.slots.clear();
  }
}

/** The `memory` kv driver: takes no options (RoadRunner's `config: {}`). */
export const memoryKvDriver: KvDriver = {
  name: 'memory',
  open: () => new MemoryKvStorage(),
};

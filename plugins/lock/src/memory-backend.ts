import type { LockBackend } from './backend.js';

interface Hold {
  /** Unix ms; undefined = until released. */
  expiresAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
}

interface Resource {
  writer: { id: string; hold: Hold } | undefined;
  readers: Map<string, Hold>;
  /** Acquisitions waiting for this resource; woken on every release or expiry. */
  waiters: Set<() => void>;
}

/** RoadRunner's "wait 0": one attempt, with 1 ms in which a release may still be seen. */
const TRY_ONCE_MS = 1;

/** Locks in this rr process only (RoadRunner's default backend). */
export class MemoryLockBackend implements LockBackend {
  private readonly resources = new Map<string, Resource>();
  private closed = false;

  private resource(name: string): Resource {
    let r = this.resources.get(name);
    if (r === undefined) {
      r = { writer: undefined, readers: new Map(), waiters: new Set() };
      this.resources.set(name, r);
    }
    return r;
  }

  private hold(resource: string, ttlUs: number, onExpire: () => void): Hold {
    if (ttlUs <= 0) return { expiresAt: undefined, timer: undefined };
    const ms = ttlUs / 1000;
    const timer = setTimeout(() => { onExpire(); this.changed(resource); }, ms);
    timer.unref();
    return { expiresAt: Date.now() + ms, timer };
  }

  private changed(name: string): void {
    const r = this.resources.get(name);
    if (r === undefined) return;
    for (const wake of [...r.waiters]) wake();
    if (r.writer === undefined && r.readers.size === 0 && r.waiters.size === 0) this.resources.delete(name);
  }

  private tryWrite(name: string, id: string, ttlUs: number): boolean {
    const r = this.resource(name);
    if (r.writer !== undefined) return false;
    // The only reader may promote itself to the writer.
    if (r.readers.size > 1 || (r.readers.size === 1 && !r.readers.has(id))) return false;
    const promoted = r.readers.get(id);
    if (promoted !== undefined) {
      clearTimeout(promoted.timer);
      r.readers.delete(id);
    }
    const writer = { id, hold: undefined as unknown as Hold };
    writer.hold = this.hold(name, ttlUs, () => { if (r.writer === writer) r.writer = undefined; });
    r.writer = writer;
    return true;
  }

  private tryRead(name: string, id: string, ttlUs: number): boolean {
    const r = this.resource(name);
    if (r.writer !== undefined || r.readers.has(id)) return false;
    const hold: Hold = this.hold(name, ttlUs, () => { if (r.readers.get(id) === hold) r.readers.delete(id); });
    r.readers.set(id, hold);
    return true;
  }

  private acquire(name: string, waitUs: number, attempt: () => boolean): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (attempt()) return Promise.resolve(true);
    const waitMs = waitUs <= 0 ? TRY_ONCE_MS : waitUs / 1000;
    return new Promise((resolve) => {
      const r = this.resource(name);
      const done = (ok: boolean) => {
        r.waiters.delete(wake);
        clearTimeout(timer);
        if (!ok) this.changed(name);
        resolve(ok);
      };
      const wake = () => {
        if (this.closed) done(false);
        else if (attempt()) done(true);
      };
      const timer = setTimeout(() => done(false), waitMs);
      r.waiters.add(wake);
    });
  }

  lock(resource: string, id: string, ttlUs: number, waitUs: number): Promise<boolean> {
    return this.acquire(resource, waitUs, () => this.tryWrite(resource, id, ttlUs));
  }

  lockRead(resource: string, id: string, ttlUs: number, waitUs: number): Promise<boolean> {
    return this.acquire(resource, waitUs, () => this.tryRead(resource, id, ttlUs));
  }

  async release(resource: string, id: string): Promise<boolean> {
    const r = this.resources.get(resource);
    if (r === undefined) return false;
    let released = false;
    if (r.writer?.id === id) {
      clearTimeout(r.writer.hold.timer);
      r.writer = undefined;
      released = true;
    }
    const reader = r.readers.get(id);
    if (reader !== undefined) {
      clearTimeout(reader.timer);
      r.readers.delete(id);
      released = true;
    }
    if (released) this.changed(resource);
    return released;
  }

  async forceRelease(resource: string): Promise<boolean> {
    const r = this.resources.get(resource);
    if (r === undefined) return false;
    const had = r.writer !== undefined || r.readers.size > 0;
    clearTimeout(r.writer?.hold.timer);
    r.writer = undefined;
    for (const hold of r.readers.values()) clearTimeout(hold.timer);
    r.readers.clear();
    this.changed(resource);
    return had;
  }

  async exists(resource: string, id: string): Promise<boolean> {
    const r = this.resources.get(resource);
    if (r === undefined) return false;
    if (id === '*') return r.writer !== undefined || r.readers.size > 0;
    return r.writer?.id === id || r.readers.has(id);
  }

  async updateTtl(resource: string, id: string, ttlUs: number): Promise<boolean> {
    const r = this.resources.get(resource);
    if (r === undefined) return false;
    if (r.writer?.id === id) {
      const writer = r.writer;
      clearTimeout(writer.hold.timer);
      writer.hold = this.hold(resource, ttlUs, () => { if (r.writer === writer) r.writer = undefined; });
      return true;
    }
    const reader = r.readers.get(id);
    if (reader === undefined) return false;
    clearTimeout(reader.timer);
    const hold: Hold = this.hold(resource, ttlUs, () => { if (r.readers.get(id) === hold) r.readers.delete(id); });
    r.readers.set(id, hold);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [name, r] of this.resources) {
      clearTimeout(r.writer?.hold.timer);
      for (const hold of r.readers.values()) clearTimeout(hold.timer);
      for (const wake of [...r.waiters]) wake();
      this.resources.delete(name);
    }
  }
}

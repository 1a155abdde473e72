import type { ConfigView, Logger, LogFields } from '@rr/plugin-api';
import type { DeliveredJob, Job } from '@rr/jobs-api';

export interface LogRecord {
  readonly level: string;
  readonly msg: string;
  readonly fields: LogFields | undefined;
}

/** A logger that keeps its records, for assertions on what a driver said. */
export function recordingLogger(name: string): Logger & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at = (level: string) => (msg: string, fields?: LogFields) => void records.push({ level, msg, fields });
  return { name, records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isEnabled: () => true };
}

/** A ConfigView over a plain tree. */
export function viewOf(tree: Record<string, unknown>): ConfigView {
  const get = (path: string): unknown => {
    if (path === '') return tree;
    let cur: unknown = tree;
    for (const part of path.split('.')) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
  };
  return { file: undefined, workDir: process.cwd(), experimental: false, has: (p) => get(p) !== undefined, get, gracePeriodMs: 30_000 };
}

export function makeJob(id: string, overrides: Partial<Job> = {}): Job {
  return {
    id,
    job: 'App\\Job',
    payload: new TextEncoder().encode(`payload-${id}`),
    headers: {},
    pipeline: 'test',
    priority: 0,
    delaySeconds: 0,
    autoAck: false,
    ...overrides,
  };
}

/** Collects deliveries; `next(n)` waits (with a deadline) until n more have arrived. */
export class Inbox {
  readonly all: DeliveredJob[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  readonly deliver = (job: DeliveredJob): void => {
    this.all.push(job);
    this.waiters = this.waiters.filter((w) => (this.all.length >= w.count ? (w.resolve(), false) : true));
  };

  /** Resolves once `count` deliveries in total have arrived; rejects after timeoutMs. */
  waitFor(count: number, timeoutMs = 10_000): Promise<DeliveredJob[]> {
    if (this.all.length >= count) return Promise.resolve(this.all.slice());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${count} deliveries within ${timeoutMs} ms, got ${this.all.length}`)), timeoutMs);
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(this.all.slice())) });
    });
  }
}

export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls an async condition until true or the deadline (for broker-side state with no event). */
export async function eventually(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`${what}: not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

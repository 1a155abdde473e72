import type { ConfigView, Logger, LogFields } from '@rr/plugin-api';
import type { DeliveredJob, Job, Pipeline } from '@rr/jobs-api';
import { expect } from 'vitest';

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

/**
 * The pause/resume contract every driver keeps: after pause() returns nothing new is delivered, jobs
 * pushed meanwhile wait in the broker (`state().active`), and consume() delivers them all.
 */
export async function expectPauseResume(p: Pipeline, waitingWhere: string): Promise<void> {
  const inbox = new Inbox();
  const handler = (j: DeliveredJob): void => {
    inbox.deliver(j);
    j.ack().catch(() => {});
  };
  await p.consume(handler);
  await p.push(makeJob('p1'));
  await inbox.waitFor(1);
  await p.pause();
  expect((await p.state()).ready).toBe(false);
  await Promise.all(['p2', 'p3', 'p4'].map((id) => p.push(makeJob(id))));
  await eventually(async () => (await p.state()).active === 3, 5_000, `three waiting in ${waitingWhere}`);
  expect(inbox.all.length).toBe(1);
  await p.consume(handler);
  const got = await inbox.waitFor(4, 5_000);
  expect(got.map((j) => j.id).sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
}

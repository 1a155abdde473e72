import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogFields, Logger, LogLevel } from '@rr/plugin-api';
import { compilePoolConfig, type Payload, type PoolConfig } from '@rr/pool-api';
import { deathSignalLauncher } from '../src/launcher.js';
import { StaticPool, type StaticPoolOptions } from '../src/pool.js';
import { pipesTransport } from '../src/transport.js';
import type { WorkerTransport } from '../src/worker.js';

export const phpDir = fileURLToPath(new URL('./php/', import.meta.url));
export const testWorker = join(phpDir, 'worker.php');
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface LogRecord {
  level: LogLevel;
  msg: string;
  fields: LogFields | undefined;
}

/** A logger that keeps every record and lets tests wait for one (no sleeps). */
export class MemoryLogger implements Logger {
  readonly name = 'server';
  readonly records: LogRecord[] = [];
  #waiters = new Set<{ match: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }>();

  debug(msg: string, fields?: LogFields): void { this.#add('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.#add('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.#add('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this.#add('error', msg, fields); }
  isEnabled(): boolean { return true; }

  #add(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    const r = { level, msg, fields };
    this.records.push(r);
    for (const w of this.#waiters) {
      if (w.match(r)) {
        this.#waiters.delete(w);
        w.resolve(r);
      }
    }
  }

  messages(level?: LogLevel): string[] {
    return this.records.filter((r) => level === undefined || r.level === level).map((r) => r.msg);
  }

  /** Resolves with the first record (past or future) matching. */
  waitFor(match: (r: LogRecord) => boolean, timeoutMs = 10_000): Promise<LogRecord> {
    const existing = this.records.find(match);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (r: LogRecord) => { clearTimeout(timer); resolve(r); } };
      const timer = setTimeout(() => {
        this.#waiters.delete(w);
        reject(new Error(`timed out waiting for a log record; have:\n${this.records.map((r) => `${r.level} ${r.msg} ${JSON.stringify(r.fields ?? {})}`).join('\n')}`));
      }, timeoutMs);
      this.#waiters.add(w);
    });
  }
}

/** A pool block as YAML would give it, compiled with the real compiler. */
export function poolConfig(raw: Record<string, unknown> = {}): PoolConfig {
  return compilePoolConfig({ num_workers: 2, ...raw }, 'test.pool', 2);
}

export interface TestPoolOptions {
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  transport?: WorkerTransport;
  argv?: string[];
  logger?: MemoryLogger;
  extra?: Partial<StaticPoolOptions>;
}

const created = new Set<StaticPool>();

export async function createTestPool(o: TestPoolOptions = {}): Promise<{ pool: StaticPool; logger: MemoryLogger }> {
  const logger = o.logger ?? new MemoryLogger();
  const transport = o.transport ?? pipesTransport;
  const pool = await StaticPool.create({
    name: 'test',
    config: poolConfig(o.config),
    argv: o.argv ?? ['php', '-d', 'memory_limit=-1', testWorker],
    env: { ...process.env, RR_RELAY: transport.address, RR_MODE: 'test', ...o.env } as Record<string, string>,
    cwd: phpDir,
    transport,
    logger,
    launcher: deathSignalLauncher(),
    stopTimeoutMs: 2_000,
    backoff: { baseMs: 50, maxMs: 400 },
    ...o.extra,
  });
  created.add(pool);
  return { pool, logger };
}

/** Destroys every pool a test created (afterEach). */
export async function destroyTestPools(): Promise<void> {
  const pools = [...created];
  created.clear();
  await Promise.all(pools.map((p) => p.destroy(AbortSignal.timeout(5_000))));
}

/** A pool or worker error with the fields the pool sets on it. */
export type CodedError = Error & { code?: string; pid?: number; stderr?: string; exitCode?: number | null; signal?: string | null };

/** The error `p` rejects with; fails the test if it resolves. */
export function rejection(p: Promise<unknown>): Promise<CodedError> {
  return p.then(() => { throw new Error('expected a rejection'); }, (e: CodedError) => e);
}

export function payload(context: string, body = ''): Payload {
  return { context: Buffer.from(context), body: Buffer.from(body) };
}

export function text(p: Payload): { context: string; body: string } {
  return { context: Buffer.from(p.context).toString(), body: Buffer.from(p.body).toString() };
}

export function meta(p: Payload): { pid: number; execs: number } {
  return JSON.parse(Buffer.from(p.context).toString()) as { pid: number; execs: number };
}

/** True while `pid` exists and is not a zombie (PID 1 here may be slow to reap). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once `cond()` is true, checking on every `event` of `emitter`; rejects after timeoutMs. */
export function until(check: () => boolean, subscribe: (cb: () => void) => () => void, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
    const off = subscribe(() => {
      if (check()) { clearTimeout(timer); off(); resolve(); }
    });
  });
}

/** Waits for processes to be gone by polling /proc on the pool's exit events plus a short interval. */
export async function waitGone(pids: number[], timeoutMs = 5_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  // Process death has no event we can subscribe to for processes we did not spawn: poll /proc.
  while (Date.now() < deadline) {
    const left = pids.filter(alive);
    if (left.length === 0) return [];
    await new Promise((r) => setTimeout(r, 25));
  }
  return pids.filter(alive);
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rr-pool-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

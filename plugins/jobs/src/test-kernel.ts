// Test support (not shipped): an in-process rr kernel with rpc + server (pool) + jobs + driver plugins,
// RPC on a unix socket, real PHP workers; and helpers for PHP producers and the workers' ledger.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, createMemoryLogging, validateSection, type Kernel } from '@rr/kernel';
import type { AnyPlugin } from '@rr/plugin-api';
import { poolPlugin } from '@rr/plugin-pool';
import { rpcPlugin } from '@rr/plugin-rpc';
import { jobsPlugin } from './plugin.js';
import { runPhp } from '@rr/testing';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const phpAutoload = join(repoRoot, 'packages/php-worker/src/autoload.php');
export const fixtures = fileURLToPath(new URL('../test/php/', import.meta.url));
export const workerScript = join(fixtures, 'worker.php');
export const producerScript = join(fixtures, 'producer.php');

export interface LedgerEntry {
  readonly event: 'start' | 'done';
  readonly id: string;
  readonly job: string;
  readonly pid: number;
  readonly pipeline: string;
  readonly driver: string;
  readonly headers: Record<string, string[]>;
  readonly payload: string;
  readonly t: number;
  readonly reply?: string;
}

export interface JobsTestRr {
  readonly kernel: Kernel;
  readonly rpc: string;
  readonly dir: string;
  readonly ledgerFile: string;
  readonly logs: ReturnType<typeof createMemoryLogging>['records'];
  ledger(): LedgerEntry[];
  /** Resolves once `pred(ledger)` holds; rejects after timeoutMs with the ledger in the message. */
  until(pred: (l: LedgerEntry[]) => boolean, timeoutMs?: number): Promise<LedgerEntry[]>;
  /** Runs the PHP producer with a list of operations; resolves with its results. */
  php(ops: object[]): Promise<unknown[]>;
  /** Creates the file slow jobs wait for. */
  release(name?: string): void;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startJobsRr(jobs: Record<string, unknown>, opts: { drivers: AnyPlugin[]; numWorkers?: number; dir?: string; extra?: Record<string, unknown> }): Promise<JobsTestRr> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'rr-jobs-'));
  const rpc = `unix://${join(dir, 'rpc.sock')}`;
  const ledgerFile = join(dir, 'ledger.jsonl');
  const logging = createMemoryLogging();
  const kernel = createKernel({
    entries: [rpcPlugin, poolPlugin, jobsPlugin, ...opts.drivers].map((p) => ({ plugin: p, source: 'builtin' as const, packageName: `test-${p.name}`, packageVersion: '0.0.0' })),
    config: {
      file: join(dir, '.rr.yaml'), dir, experimental: false,
      data: {
        version: '3',
        rpc: { listen: rpc },
        server: { command: ['php', workerScript, phpAutoload], env: { RR_LEDGER: ledgerFile, RR_RELEASE_DIR: dir } },
        jobs: { pool: { num_workers: opts.numWorkers ?? 2, destroy_timeout: '10s' }, ...jobs },
        ...opts.extra,
      },
    },
    loggers: logging,
    version: '2026.1.0-test',
    validateSection,
  });
  try {
    await kernel.start();
  } catch (err) {
    await kernel.stop('start failed');
    if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const ledger = (): LedgerEntry[] => (existsSync(ledgerFile) ? readFileSync(ledgerFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LedgerEntry) : []);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await kernel.stop('test done');
  };
  return {
    kernel, rpc, dir, ledgerFile, logs: logging.records, ledger,
    until: (pred, timeoutMs = 15_000) => new Promise((resolve, reject) => {
      const started = Date.now();
      // Polls the ledger file the workers append to: waiting for a condition, bounded, not a sleep.
      const tick = (): void => {
        const l = ledger();
        if (pred(l)) { resolve(l); return; }
        if (Date.now() - started > timeoutMs) { reject(new Error(`ledger condition not met within ${timeoutMs} ms; ${l.length} entries:\n${l.slice(-20).map((e) => JSON.stringify(e)).join('\n')}`)); return; }
        setTimeout(tick, 20);
      };
      tick();
    }),
    php: async (ops) => {
      const res = await runPhp(producerScript, [phpAutoload, JSON.stringify(ops)], { RR_RPC: rpc });
      if (res.code !== 0) throw new Error(`php producer exited ${res.code}\n${res.stdout}\n${res.stderr}`);
      return JSON.parse(res.stdout) as unknown[];
    },
    release: (name = 'release') => { writeFileSync(join(dir, name), ''); },
    stop,
    async close() {
      await stop();
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Done entries per job id. */
export function doneCounts(l: readonly LedgerEntry[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of l) if (e.event === 'done') m.set(e.id, (m.get(e.id) ?? 0) + 1);
  return m;
}

export { runPhp, type PhpResult } from '@rr/testing';

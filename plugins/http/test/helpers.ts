import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, createMemoryLogging, validateSection, type Kernel, type MemoryRecord } from '@rr/kernel';
import type { AnyPlugin, LogFields, Logger, LogLevel } from '@rr/plugin-api';
import { poolPlugin } from '@rr/plugin-pool';
import { httpPlugin } from '../src/index.js';

export const phpDir = fileURLToPath(new URL('./php/', import.meta.url));
export const WORKERS = {
  raw: join(phpDir, 'raw-worker.php'),
  lib: join(phpDir, 'lib-worker.php'),
} as const;
export type WorkerKind = keyof typeof WORKERS;

export interface StartOptions {
  worker?: WorkerKind;
  /** The `http` section (address defaults to 127.0.0.1:0, pool to 2 workers). */
  http?: Record<string, unknown>;
  /** Extra root sections. */
  extra?: Record<string, unknown>;
  plugins?: AnyPlugin[];
  /** Override the worker command. */
  command?: string;
  env?: Record<string, string>;
  /** Logger levels reported as enabled (default: all). */
  enabled?: LogLevel[];
}

export interface Started {
  kernel: Kernel;
  /** `http://127.0.0.1:PORT` of the plain listener (when there is one). */
  url: string;
  /** `https://127.0.0.1:PORT` of the TLS listener (when there is one). */
  httpsUrl: string;
  records: MemoryRecord[];
  dir: string;
  waitForRecord(match: (r: MemoryRecord) => boolean, timeoutMs?: number): Promise<MemoryRecord>;
  stop(): Promise<void>;
}

const cleanups: Array<() => Promise<unknown> | void> = [];

/** Runs after each test (call from afterEach). */
export async function cleanup(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export function tempDir(prefix = 'rr-http-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a real kernel with the real pool plugin and the http plugin. */
export async function startHttp(o: StartOptions = {}): Promise<Started> {
  const dir = tempDir();
  const logging = createMemoryLogging();
  const listeners = new Set<() => void>();
  const enabled = new Set(o.enabled ?? ['debug', 'info', 'warn', 'error']);
  const loggers = {
    ...logging,
    named(name: string): Logger {
      const inner = logging.named(name);
      const wrap = (level: LogLevel) => (msg: string, fields?: LogFields): void => {
        // The start line is how tests learn the bound port: keep it whatever the level.
        if (!enabled.has(level) && !msg.endsWith('server was started')) return;
        inner[level](msg, fields);
        for (const l of [...listeners]) l();
      };
      return { name, debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error'), isEnabled: (l: LogLevel) => enabled.has(l) };
    },
  };
  const command = o.command ?? `php ${WORKERS[o.worker ?? 'raw']}`;
  const kernel = createKernel({
    entries: [poolPlugin, httpPlugin, ...(o.plugins ?? [])].map((plugin) => ({ plugin, source: 'builtin', packageName: `test-${plugin.name}`, packageVersion: '0.0.0' })),
    config: {
      file: join(dir, '.rr.yaml'),
      dir,
      data: {
        version: '3',
        server: { command, ...(o.env ? { env: o.env } : {}) },
        http: { address: '127.0.0.1:0', pool: { num_workers: 2 }, ...o.http },
        ...o.extra,
      },
      experimental: false,
    },
    loggers,
    version: '2026.1.0-test',
    validateSection,
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await kernel.stop('test cleanup');
  };
  cleanups.push(stop);
  const records = logging.records;
  const waitForRecord = (match: (r: MemoryRecord) => boolean, timeoutMs = 10_000): Promise<MemoryRecord> => {
    const found = records.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for a log record; have:\n${records.map((r) => `${r.logger} ${r.level} ${r.msg} ${JSON.stringify(r.fields)}`).join('\n')}`));
      }, timeoutMs);
      const check = (): void => {
        const r = records.find(match);
        if (r) {
          clearTimeout(timer);
          listeners.delete(check);
          resolve(r);
        }
      };
      listeners.add(check);
    });
  };
  await kernel.start();
  const started = (msg: string): string => {
    const r = records.find((x) => x.logger === 'http' && x.msg === msg);
    return r === undefined ? '' : String(r.fields['address']);
  };
  return {
    kernel, records, dir, waitForRecord, stop,
    url: started('http server was started') === '' ? '' : `http://${started('http server was started')}`,
    httpsUrl: started('https server was started') === '' ? '' : `https://${started('https server was started')}`,
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const rrBin = join(repoRoot, 'packages/cli/dist/main.js');
export const fixturesDir = join(repoRoot, 'test/fixtures');

/** A running `rr` process whose output can be awaited line by line (no sleeps). */
export interface RrProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first line (stdout or stderr) matching, rejects if rr exits first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or 128+signal) once the process has exited. */
  exited: Promise<number>;
  kill(signal?: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

export function startRr(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RrProcess {
  const child = spawn(process.execPath, [rrBin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const check = (text: string) => {
    for (const line of text.split('\n')) {
      for (const w of waiters) {
        if (w.pattern.test(line)) { waiters.delete(w); w.resolve(line); }
      }
    }
  };
  let outBuf = '';
  let errBuf = '';
  child.stdout!.on('data', (c: Buffer) => { out += c; outBuf += c; const i = outBuf.lastIndexOf('\n'); if (i >= 0) { check(outBuf.slice(0, i)); outBuf = outBuf.slice(i + 1); } });
  child.stderr!.on('data', (c: Buffer) => { err += c; errBuf += c; const i = errBuf.lastIndexOf('\n'); if (i >= 0) { check(errBuf.slice(0, i)); errBuf = errBuf.slice(i + 1); } });
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      check(outBuf); check(errBuf);
      resolve(code ?? 128 + (signal ? osSignal(signal) : 0));
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => { child.kill(signal); },
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise<string>((resolve, reject) => {
        const existing = `${out}\n${err}`.split('\n').find((l) => pattern.test(l));
        if (existing !== undefined) { resolve(existing); return; }
        const waiter = { pattern, resolve: (line: string) => { clearTimeout(timer); resolve(line); } };
        const timer = setTimeout(() => { waiters.delete(waiter); reject(new Error(`timed out waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err}`)); }, timeoutMs);
        waiters.add(waiter);
        void exited.then((code) => {
          if (waiters.delete(waiter)) { clearTimeout(timer); reject(new Error(`rr exited (${code}) before ${pattern}\nstdout:\n${out}\nstderr:\n${err}`)); }
        });
      });
    },
  };
}

/** Runs rr to completion. */
export async function runRr(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = startRr(args, opts);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Kills whatever a test left running (afterEach). */
export function killAllRr(): void {
  for (const child of running) child.kill('SIGKILL');
}

function osSignal(signal: NodeJS.Signals): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}

/** A temp dir with files; removed by the returned cleanup. */
export function tempDir(files: Record<string, string> = {}): { dir: string; path: (f: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rr-test-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { dir, path: (f) => join(dir, f), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// Test support (not shipped): an in-process rr kernel with rpc + kv + the given driver plugins
// listening on a unix socket, and a runner for PHP scripts that use rr's PHP library.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, createMemoryLogging, validateSection, type Kernel } from '@rr/kernel';
import type { AnyPlugin } from '@rr/plugin-api';
import { rpcPlugin } from '@rr/plugin-rpc';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const phpAutoload = join(repoRoot, 'packages/php-worker/src/autoload.php');

export interface TestRr {
  readonly kernel: Kernel;
  /** `unix://…` address of the RPC server, as PHP gets it in RR_RPC. */
  readonly rpc: string;
  readonly dir: string;
  readonly logs: ReturnType<typeof createMemoryLogging>['records'];
  close(): Promise<void>;
}

export async function startRr(plugins: AnyPlugin[], data: Record<string, unknown>): Promise<TestRr> {
  const dir = mkdtempSync(join(tmpdir(), 'rr-kv-'));
  const rpc = `unix://${join(dir, 'rpc.sock')}`;
  const logging = createMemoryLogging();
  const kernel = createKernel({
    entries: [rpcPlugin, ...plugins].map((p) => ({ plugin: p, source: 'builtin' as const, packageName: `test-${p.name}`, packageVersion: '0.0.0' })),
    config: { file: join(dir, '.rr.yaml'), dir, data: { version: '3', rpc: { listen: rpc }, ...data }, experimental: false },
    loggers: logging,
    version: '2026.1.0-test',
    validateSection,
  });
  try {
    await kernel.start();
  } catch (err) {
    await kernel.stop('start failed');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    kernel, rpc, dir, logs: logging.records,
    async close() {
      await kernel.stop('test done');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PhpResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `php script args…` with RR_RPC set; resolves when it exits (bounded by timeoutMs). */
export function runPhp(script: string, args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<PhpResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('php', [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c; });
    child.stderr.on('data', (c: Buffer) => { stderr += c; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`php ${script} ran over ${timeoutMs} ms\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout, stderr }); });
  });
}

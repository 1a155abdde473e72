// Test support (not shipped): an in-process rr kernel with rpc + kv + the given driver plugins
// listening on a unix socket, and a runner for PHP scripts that use rr's PHP library.
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

export { runPhp, type PhpResult } from '@rr/testing';

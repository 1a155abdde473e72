import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel, createMemoryLogging, validateSection, type Kernel, type MemoryRecord } from '@rr/kernel';
import { definePlugin, type AnyPlugin } from '@rr/plugin-api';
import { rpcServicesToken, type RpcService } from '@rr/rpc-api';
import { RpcClient } from '@rr/goridge';

export interface Started {
  kernel: Kernel;
  records: MemoryRecord[];
  /** The bound address from the "plugin was started" line. */
  address: string;
  connect(): Promise<RpcClient>;
  stop(): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];

/** Stops every kernel, closes every client and removes every temp dir a test created (afterEach). */
export async function cleanupAll(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-rpc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Builds a kernel over `data` (version added) with the given plugins; does not start it. */
export function makeKernel(data: Record<string, unknown>, plugins: AnyPlugin[], dir = tempDir()): { kernel: Kernel; records: MemoryRecord[] } {
  const logging = createMemoryLogging();
  const kernel = createKernel({
    entries: plugins.map((plugin) => ({ plugin, source: 'builtin', packageName: `test-${plugin.name}`, packageVersion: '0.0.0' })),
    config: { file: join(dir, '.rr.yaml'), dir, data: { version: '3', ...data }, experimental: false },
    loggers: logging,
    version: '2026.1.0-test',
    validateSection,
  });
  cleanups.push(async () => { await kernel.stop('test cleanup'); });
  return { kernel, records: logging.records };
}

/** Starts a kernel and finds the RPC address it bound. */
export async function startKernel(data: Record<string, unknown>, plugins: AnyPlugin[], dir?: string): Promise<Started> {
  const { kernel, records } = makeKernel(data, plugins, dir);
  await kernel.start();
  const started = records.find((r) => r.logger === 'rpc' && r.msg === 'plugin was started');
  if (started === undefined) throw new Error(`rpc did not log "plugin was started"; records: ${JSON.stringify(records)}`);
  const address = String(started.fields['address']);
  return {
    kernel,
    records,
    address,
    async connect() {
      const client = await RpcClient.connect(address, { timeoutMs: 10_000 });
      cleanups.push(() => client.close());
      return client;
    },
    async stop() {
      await kernel.stop('test');
    },
  };
}

/** A plugin contributing one RPC service. */
export function servicePlugin(service: RpcService, name = 'svc'): AnyPlugin {
  return definePlugin({
    name,
    kernel: '^0.1.0',
    contributes: [rpcServicesToken],
    init(ctx) {
      ctx.contribute(rpcServicesToken, service);
    },
  });
}

/** A promise with its resolver, to hold a call open until the test lets it go. */
export function gate<T = void>(): { promise: Promise<T>; open: (v: T) => void } {
  let open!: (v: T) => void;
  const promise = new Promise<T>((resolve) => { open = resolve; });
  return { promise, open };
}

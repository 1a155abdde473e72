import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, createMemoryLogging, validateSection, type Kernel, type MemoryRecord } from '@rr/kernel';
import { definePlugin, type AnyPlugin, type LogFields, type Logger, type LogLevel } from '@rr/plugin-api';
import { compilePoolConfig, poolFactoryToken, type Pool } from '@rr/pool-api';
import { poolPlugin } from '../src/index.js';
import { alive, payload, testWorker } from './helpers.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-pool-plugin-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Made {
  kernel: Kernel;
  records: MemoryRecord[];
  /** Resolves with the first record (past or future) matching. */
  waitForRecord(match: (r: MemoryRecord) => boolean, timeoutMs?: number): Promise<MemoryRecord>;
}

function makeKernel(data: Record<string, unknown>, plugins: AnyPlugin[]): Made {
  const dir = tempDir();
  const logging = createMemoryLogging();
  const listeners = new Set<() => void>();
  // Every record notifies waiters, so tests wait for log lines instead of sleeping.
  const loggers = {
    ...logging,
    named(name: string): Logger {
      const inner = logging.named(name);
      const wrap = (level: LogLevel) => (msg: string, fields?: LogFields): void => {
        inner[level](msg, fields);
        for (const l of [...listeners]) l();
      };
      return { name, debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error'), isEnabled: () => true };
    },
  };
  const kernel = createKernel({
    entries: plugins.map((plugin) => ({ plugin, source: 'builtin', packageName: `test-${plugin.name}`, packageVersion: '0.0.0' })),
    config: { file: join(dir, '.rr.yaml'), dir, data: { version: '3', ...data }, experimental: false },
    loggers,
    version: '2026.1.0-test',
    validateSection,
  });
  cleanups.push(() => kernel.stop('test cleanup'));
  const records = logging.records;
  return {
    kernel,
    records,
    waitForRecord(match, timeoutMs = 5_000) {
      const found = records.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { listeners.delete(check); reject(new Error('timed out waiting for a log record')); }, timeoutMs);
        const check = (): void => {
          const r = records.find(match);
          if (r) { clearTimeout(timer); listeners.delete(check); resolve(r); }
        };
        listeners.add(check);
      });
    },
  };
}

/** A consumer like http or jobs: creates its pool in serve; `destroy: false` leaves it to the server plugin. */
function consumer(holder: { pool?: Pool }, opts: { destroy?: boolean; env?: Record<string, string>; pool?: Record<string, unknown> } = {}): AnyPlugin {
  return definePlugin({
    name: 'consumer',
    kernel: '^0.1.0',
    deps: { pools: poolFactoryToken },
    init(ctx) {
      return {
        async serve() {
          holder.pool = await ctx.deps.pools.create({
            name: 'consumer',
            mode: 'consumer_mode',
            config: compilePoolConfig({ num_workers: 2, ...opts.pool }, 'consumer.pool', 2),
            ...(opts.env ? { env: opts.env } : {}),
          });
        },
        async stop(signal) {
          if (opts.destroy !== false) await holder.pool?.destroy(signal);
        },
      };
    },
  });
}

const command = `php ${testWorker}`;

async function envOf(pool: Pool): Promise<Record<string, string>> {
  return JSON.parse(Buffer.from((await pool.exec(payload('env', 'x'))).body).toString()) as Record<string, string>;
}

describe('server plugin', () => {
  it('is disabled without a server section, and says so', () => {
    const { kernel } = makeKernel({}, [poolPlugin]);
    const report = kernel.resolve();
    const server = report.plugins.find((p) => p.name === 'server');
    expect(server?.enabled).toBe(false);
    expect(server?.reason).toMatch(/server/);
    expect(server?.provides).toEqual(['pool.factory']);
  });

  it('makes a plugin requiring pool.factory fail to resolve, naming the missing server section', async () => {
    const { kernel } = makeKernel({}, [poolPlugin, consumer({})]);
    const err = (await kernel.start().then(() => undefined, (e: unknown) => e)) as { code: string; errors?: Array<{ code?: string; message: string }> };
    expect(err.code).toBe('RR_ERR_KERNEL_RESOLVE');
    const missing = err.errors?.find((e) => e.code === 'RR_ERR_DEP_MISSING');
    expect(missing?.message).toContain('pool.factory');
    expect(missing?.message).toContain('server');
  });

  it('reports an invalid section with its key path', async () => {
    const { kernel } = makeKernel({ server: { command, relay: 'udp://x:1' } }, [poolPlugin]);
    const err = (await kernel.start().then(() => undefined, (e: unknown) => e)) as { code: string; errors?: Array<{ code?: string; message: string }> };
    expect(err.code).toBe('RR_ERR_KERNEL_RESOLVE');
    const text = JSON.stringify(err.errors?.map((e) => [e.code, e.message]));
    expect(text).toContain('RR_ERR_CONFIG_INVALID');
    expect(text).toContain('server.relay');
  });

  it('provides pools whose workers get RoadRunner\'s environment, log as "server", and die with the kernel', async () => {
    const holder: { pool?: Pool } = {};
    const { kernel, records, waitForRecord } = makeKernel({
      server: { command, env: { app_env: 'testing', from_os: '$HOME' } },
      rpc: { listen: 'tcp://127.0.0.1:6123' },
    }, [poolPlugin, consumer(holder, { env: { extra_key: 'v' } })]);
    await kernel.start();
    const pool = holder.pool!;
    const env = await envOf(pool);
    expect(env).toMatchObject({ RR_RELAY: 'pipes', RR_RPC: 'tcp://127.0.0.1:6123', RR_VERSION: '2026.1.0-test', RR_MODE: 'consumer_mode' });
    const pids = pool.workers().map((w) => w.pid);
    expect(records.filter((r) => r.logger === 'server' && r.msg === 'worker is allocated').map((r) => r.fields['pid']).sort()).toEqual([...pids].sort());
    await pool.exec(payload('stderr:1', 'x'));
    // STDERR travels on its own pipe and may land after the answer.
    await waitForRecord((r) => r.logger === 'server' && r.level === 'info' && r.msg.startsWith('eeee'));
    await kernel.stop('test');
    expect(pids.filter(alive)).toEqual([]);
  });

  it('gives server.env upper-cased and expanded, and pool extras after it', async () => {
    const holder: { pool?: Pool } = {};
    process.env['RR_POOL_TEST_VAR'] = 'expanded';
    cleanups.push(() => { delete process.env['RR_POOL_TEST_VAR']; });
    const { kernel } = makeKernel({ server: { command, env: { test_one: 'a-${RR_POOL_TEST_VAR}', test_two: 'server' } } },
      [poolPlugin, consumer(holder, { env: { test_two: 'pool' } })]);
    await kernel.start();
    const env = await envOf(holder.pool!);
    expect(env['TEST_ONE']).toBe('a-expanded');
    expect(env['TEST_TWO']).toBe('pool');
    expect(env['RR_RPC']).toBeUndefined();
  });

  it('uses the RPC default address for RR_RPC when the rpc section has no listen', async () => {
    const holder: { pool?: Pool } = {};
    const { kernel } = makeKernel({ server: { command }, rpc: {} }, [poolPlugin, consumer(holder)]);
    await kernel.start();
    expect((await envOf(holder.pool!))['RR_RPC']).toBe('tcp://127.0.0.1:6001');
  });

  it('warns when a pool prefetches without exec_ttl (nothing else frees a request stuck behind a hung one)', async () => {
    const warned = (records: Array<{ level: string; msg: string; fields: Record<string, unknown> }>): unknown[] =>
      records.filter((r) => r.level === 'warn' && r.msg.startsWith('pool.prefetch without supervisor.exec_ttl')).map((r) => r.fields['pool']);
    const bare = makeKernel({ server: { command } }, [poolPlugin, consumer({}, { pool: { prefetch: true } })]);
    await bare.kernel.start();
    expect(warned(bare.records)).toEqual(['consumer']);
    const bounded = makeKernel({ server: { command } }, [poolPlugin, consumer({}, { pool: { prefetch: true, supervisor: { exec_ttl: '30s' } } })]);
    await bounded.kernel.start();
    expect(warned(bounded.records)).toEqual([]);
  });

  it('destroys pools their owner left running when it stops', async () => {
    const holder: { pool?: Pool } = {};
    const { kernel, records } = makeKernel({ server: { command } }, [poolPlugin, consumer(holder, { destroy: false })]);
    await kernel.start();
    const pids = holder.pool!.workers().map((w) => w.pid);
    expect(pids.filter(alive)).toHaveLength(2);
    const outcome = await kernel.stop('test');
    expect(outcome.ok).toBe(true);
    expect(pids.filter(alive)).toEqual([]);
    expect(records.some((r) => r.logger === 'server' && r.msg === 'destroy signal received')).toBe(true);
  });

  it('serves workers over a tcp relay', async () => {
    const holder: { pool?: Pool } = {};
    const { kernel } = makeKernel({ server: { command, relay: 'tcp://127.0.0.1:0' } }, [poolPlugin, consumer(holder)]);
    await kernel.start();
    const env = await envOf(holder.pool!);
    expect(env['RR_RELAY']).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
  });

  it('fails serve with RR_ERR_POOL_BOOT (and rr would exit 1) when the first workers cannot start', async () => {
    const holder: { pool?: Pool } = {};
    const { kernel } = makeKernel({ server: { command: 'php no-such-worker.php' } }, [poolPlugin, consumer(holder)]);
    const err = (await kernel.start().then(() => undefined, (e: unknown) => e)) as Error & { code: string; cause?: { code?: string } };
    expect(err.code).toBe('RR_ERR_PLUGIN_SERVE');
    expect(err.cause?.code).toBe('RR_ERR_POOL_BOOT');
    expect(String((err.cause as Error).message)).toContain('Could not open input file');
  });

  describe('on_init', () => {
    it('runs before any pool starts and logs its output as "server"', async () => {
      const dir = tempDir();
      const marker = join(dir, 'migrated');
      const holder: { pool?: Pool } = {};
      const { kernel, records } = makeKernel({
        server: { command, on_init: { command: ['php', '-r', `touch('${marker}'); echo "migrations done\\n";`] } },
      }, [poolPlugin, consumer(holder)]);
      await kernel.start();
      expect(existsSync(marker)).toBe(true);
      const server = records.filter((r) => r.logger === 'server').map((r) => r.msg);
      expect(server.indexOf('migrations done\n')).toBeGreaterThanOrEqual(0);
      expect(server.indexOf('migrations done\n')).toBeLessThan(server.indexOf('worker is allocated'));
    });

    it('stops rr when it fails with exit_on_error', async () => {
      const { kernel } = makeKernel({
        server: { command, on_init: { command: ['php', '-r', 'fwrite(STDERR, "no database\\n"); exit(2);'], exit_on_error: true } },
      }, [poolPlugin]);
      const err = (await kernel.start().then(() => undefined, (e: unknown) => e)) as Error & { code?: string; cause?: { code?: string; message: string } };
      expect(err.code).toBe('RR_ERR_PLUGIN_SERVE');
      expect(err.cause?.code).toBe('RR_ERR_SERVER_ON_INIT');
      expect(err.cause?.message).toContain('exited with code 2');
      expect(err.cause?.message).toContain('no database');
    });

    it('logs a failure and goes on without exit_on_error; kills it at exec_timeout', async () => {
      const { kernel, records } = makeKernel({
        server: { command, on_init: { command: ['php', '-r', 'sleep(30);'], exec_timeout: '200ms' } },
      }, [poolPlugin]);
      await kernel.start();
      const failure = records.find((r) => r.logger === 'server' && r.msg === 'on_init command failed');
      expect(String(failure?.fields['error'])).toContain('did not finish within exec_timeout (200 ms)');
    });
  });
});

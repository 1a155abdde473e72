import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSocketDsn } from '@rr/goridge';
import { PipesTransport, SocketTransport, pipesTransport } from '../src/transport.js';
import type { WorkerTransport } from '../src/worker.js';
import { createTestPool, destroyTestPools, meta, payload, repoRoot, tempDir } from './helpers.js';
import { requestResponseSuite } from './request-response.suite.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await destroyTestPools();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function socket(address: string): Promise<SocketTransport> {
  const t = await SocketTransport.listen(parseSocketDsn(address), () => {});
  cleanups.push(() => t.close());
  return t;
}

const transports: Array<[string, () => Promise<WorkerTransport>]> = [
  ['pipes', async () => pipesTransport],
  // The fallback when FIFOs cannot be made: libuv's socketpairs.
  ['pipes (socketpairs)', async () => new PipesTransport({ fifo: false })],
  ['tcp', () => socket('tcp://127.0.0.1:0')],
  ['unix', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    return socket(`unix://${join(t.dir, 'rr.sock')}`);
  }],
];

describe.each(transports)('relay %s', (kind, makeTransport) => {
  it('passes the pid handshake and executes requests on every worker', async () => {
    const transport = await makeTransport();
    const { pool, logger } = await createTestPool({ transport, config: { num_workers: 3 } });
    const pids = pool.workers().map((w) => w.pid).sort();
    expect(pids).toHaveLength(3);
    expect(pool.workers().every((w) => w.status === 'ready')).toBe(true);
    // Three concurrent requests that each hold their worker briefly land on three different workers.
    const results = await Promise.all([0, 1, 2].map(() => pool.exec(payload('sleep:50', 'x'))));
    expect(results.map((r) => meta(r).pid).sort()).toEqual(pids);
    expect(logger.records.filter((r) => r.msg === 'worker is allocated').map((r) => r.fields?.['pid']).sort()).toEqual(pids);
    if (kind === 'unix') expect(existsSync(transport.address.slice('unix://'.length))).toBe(true);
  });

  it('gives workers the relay address and the pool mode in their environment', async () => {
    const transport = await makeTransport();
    const { pool } = await createTestPool({ transport, config: { num_workers: 1 } });
    const env = JSON.parse(Buffer.from((await pool.exec(payload('env', 'x'))).body).toString()) as Record<string, string>;
    expect(env['RR_RELAY']).toBe(transport.address);
    expect(env['RR_MODE']).toBe('test');
    if (kind === 'tcp') expect(env['RR_RELAY']).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
  });

  it('carries 64 MB each way intact', async () => {
    const { pool } = await createTestPool({ transport: await makeTransport(), config: { num_workers: 1 } });
    const big = randomBytes(64 * 1024 * 1024);
    const r = await pool.exec({ context: Buffer.from('{"k":"64MB"}'), body: big });
    expect(Buffer.from(r.context).toString()).toBe('{"k":"64MB"}');
    expect(r.body.length).toBe(big.length);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
  });

  describe('request/response suite, raw test worker', () => {
    requestResponseSuite(async () => (await createTestPool({ transport: await makeTransport(), config: { num_workers: 2 } })).pool);
  });

  describe("request/response suite, worker on rr's PHP library (packages/php-worker/examples/echo.php)", () => {
    const echo = join(repoRoot, 'packages/php-worker/examples/echo.php');
    requestResponseSuite(async () => (await createTestPool({ transport: await makeTransport(), argv: ['php', echo], config: { num_workers: 2 } })).pool);
  });
});

// The redis lock backend across two real `rr serve` processes on one Redis: PHP contenders spread
// their rounds over both servers, and no two ever hold the write lock at once.
// Uses packages/cli/dist: run `pnpm build` (or `pnpm exec tsc -b packages/cli`) first.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllRr, startRr, tempDir, type RrProcess } from '../../../test/helpers/rr-process.js';
import { phpAutoload, runPhp } from '../../kv/src/test-kernel.js';
import { assertNoOverlap, contention } from './contention.js';

const opsScript = join(import.meta.dirname, 'fixtures/ops.php');
const cleanups: Array<() => void> = [];
afterEach(() => {
  killAllRr();
  for (const c of cleanups.splice(0)) c();
});

async function serve(prefix: string): Promise<{ rr: RrProcess; rpc: string }> {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const rpc = `unix://${t.path('rpc.sock')}`;
  writeFileSync(t.path('.rr.yaml'), [
    'version: "3"',
    'rpc:',
    `  listen: ${rpc}`,
    'lock:',
    '  driver: redis',
    '  config:',
    '    addrs: ["127.0.0.1:6379"]',
    `    prefix: "${prefix}"`,
    '',
  ].join('\n'));
  const rr = startRr(['serve', '-c', t.path('.rr.yaml'), '-o', 'logs.mode=production', '-o', 'logs.output=stdout']);
  await rr.waitFor(/"msg":"lock backend initialized".*"driver":"redis"/);
  await rr.waitFor(/RoadRunner server started|plugin was started/);
  return { rr, rpc };
}

describe('lock: redis backend shared by two rr serve processes', () => {
  it('PHP processes on both servers never hold the write lock together; ownership holds across servers', async () => {
    const prefix = `rr-test-lock2-${process.pid}-${randomBytes(4).toString('hex')}:`;
    const [a, b] = await Promise.all([serve(prefix), serve(prefix)]);

    const ops = async (rpc: string, calls: unknown[]) => {
      const res = await runPhp(opsScript, [JSON.stringify(calls)], { RR_RPC: rpc, RR_PHP_AUTOLOAD: phpAutoload });
      expect(res.code, res.stderr).toBe(0);
      return JSON.parse(res.stdout) as unknown[];
    };
    expect(await ops(a.rpc, [['Lock', 'shared', 'owner', 30_000_000, 0]])).toEqual([true]);
    expect(await ops(b.rpc, [
      ['Lock', 'shared', 'intruder', 30_000_000, 100_000],
      ['Exists', 'shared', 'owner', null, null],
      ['Release', 'shared', 'intruder', null, null],
      ['Exists', 'shared', '*', null, null],
      ['Release', 'shared', 'owner', null, null],
      ['Lock', 'shared', 'intruder', 30_000_000, 0],
      ['Release', 'shared', 'intruder', null, null],
    ])).toEqual([false, true, false, true, true, true, true]);

    assertNoOverlap(await contention([a.rpc, b.rpc], 4, 10), 4 * 10);
  }, 90_000); // two rr processes and eight PHP processes: generous bound for a loaded 2-core CI machine
});

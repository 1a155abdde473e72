// Real PHP processes calling lock.* over RPC with the protobuf bytes of roadrunner-php/lock.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phpAutoload, runPhp, startRr, type TestRr } from '../../kv/src/test-kernel.js';
import { lockPlugin } from '../src/plugin.js';

const contend = join(import.meta.dirname, 'fixtures/contend.php');
const opsScript = join(import.meta.dirname, 'fixtures/ops.php');

/** Checks the shared file: every "start X" is followed by "end X" before anyone else starts. */
export function assertNoOverlap(lines: string[], expectedRounds: number): void {
  expect(lines).toHaveLength(expectedRounds * 2);
  for (let i = 0; i < lines.length; i += 2) {
    const start = /^start (\S+)$/.exec(lines[i]!);
    expect(start, `line ${i}: ${lines[i]}`).not.toBeNull();
    expect(lines[i + 1], `overlap after line ${i}`).toBe(`end ${start![1]}`);
  }
}

/** Runs `processes` PHP contenders at once against the given RPC addresses. */
export async function contention(rpc: string[], processes: number, rounds: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rr-lock-'));
  try {
    const file = join(dir, 'shared.log');
    writeFileSync(file, '');
    const resource = `res-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: processes }, () =>
      runPhp(contend, [resource, String(rounds), file], { RR_RPC: rpc.join(','), RR_PHP_AUTOLOAD: phpAutoload }, 60_000)));
    for (const r of results) expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(results.map((r) => (JSON.parse(r.stdout) as { acquired: number }).acquired)).toEqual(Array(processes).fill(rounds));
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('lock plugin (memory) from PHP', () => {
  let rr: TestRr;
  beforeAll(async () => { rr = await startRr([lockPlugin], {}); });
  afterAll(async () => { await rr?.close(); });

  it('several PHP processes at once: never two holders of the write lock', async () => {
    assertNoOverlap(await contention([rr.rpc], 4, 15), 4 * 15);
  });

  it('answers ok as RoadRunner does, and rejects an empty id and bad times with its texts', async () => {
    const res = await runPhp(opsScript, [JSON.stringify([
      ['Lock', 'r1', 'a', 10_000_000, 0],
      ['Lock', 'r1', 'b', 10_000_000, 0],
      ['LockRead', 'r1', 'b', 10_000_000, 0],
      ['Exists', 'r1', '*', null, null],
      ['Exists', 'r1', 'b', null, null],
      ['UpdateTTL', 'r1', 'a', 20_000_000, null],
      ['Release', 'r1', 'b', null, null],
      ['Release', 'r1', 'a', null, null],
      ['LockRead', 'r1', 'a', 0, 0],
      ['LockRead', 'r1', 'b', 0, 0],
      ['ForceRelease', 'r1', '', null, null],
      ['ForceRelease', 'r1', '', null, null],
      ['Lock', 'r1', '', 0, 0],
      ['Lock', 'r1', 'a', -1, 0],
    ])], { RR_RPC: rr.rpc, RR_PHP_AUTOLOAD: phpAutoload });
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as unknown[];
    expect(out.slice(0, 12)).toEqual([true, false, false, true, false, true, false, true, true, true, true, false]);
    expect(out[12]).toEqual({ error: expect.stringContaining('empty ID is not allowed') });
    expect(out[13]).toEqual({ error: expect.stringContaining('ttl must be between 0 and') });
  });
});

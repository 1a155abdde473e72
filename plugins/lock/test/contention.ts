// Runs PHP lock contenders at once and checks the file they append to while holding the lock.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { phpAutoload, runPhp } from '../../kv/src/test-kernel.js';

const contend = join(import.meta.dirname, 'fixtures/contend.php');

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

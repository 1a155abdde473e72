// Real PHP processes calling lock.* over RPC with the protobuf bytes of roadrunner-php/lock.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phpAutoload, runPhp, startRr, type TestRr } from '../../kv/src/test-kernel.js';
import { lockPlugin } from '../src/plugin.js';
import { assertNoOverlap, contention } from './contention.js';

const opsScript = join(import.meta.dirname, 'fixtures/ops.php');

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

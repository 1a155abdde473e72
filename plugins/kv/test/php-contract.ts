// The behaviour every kv driver must show to PHP: rr's PSR-16 Cache (the protobuf bytes of
// spiral/roadrunner-kv) over a real RPC socket, against a real backend.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { phpAutoload, runPhp, type TestRr } from '../src/test-kernel.js';

const script = join(import.meta.dirname, 'fixtures/cache-ops.php');

export type Op = Record<string, unknown> & { op: string };

export function phpOps(rr: () => TestRr) {
  return async (storage: string, ops: Op[]): Promise<unknown[]> => {
    const res = await runPhp(script, [storage, JSON.stringify(ops)], { RR_RPC: rr().rpc, RR_PHP_AUTOLOAD: phpAutoload });
    if (res.code !== 0) throw new Error(`php exited ${res.code}\n${res.stdout}\n${res.stderr}`);
    return JSON.parse(res.stdout) as unknown[];
  };
}

/**
 * Shared cases. `storage` is a storage name configured on the driver under test; `ttlSupported`
 * is false for drivers whose TTL lookup is not implemented (memcached).
 */
export function kvContract(opts: { start: () => Promise<TestRr>; storage: string; ttlSupported: boolean; prefix?: string }): void {
  let rr: TestRr;
  beforeAll(async () => { rr = await opts.start(); });
  afterAll(async () => { await rr?.close(); });
  const ops = phpOps(() => rr);
  const s = opts.storage;
  const k = (name: string) => `${opts.prefix ?? ''}${name}`;

  it('set/get/has/delete round-trip PHP values (serialize() bytes are opaque to the server)', async () => {
    expect(await ops(s, [
      { op: 'psr' },
      { op: 'set', key: k('a'), value: 'hello' },
      { op: 'get', key: k('a') },
      { op: 'has', key: k('a') },
      { op: 'has', key: k('nope') },
      { op: 'get', key: k('nope'), default: 'dflt' },
      { op: 'setObject', key: k('obj') },
      { op: 'object', key: k('obj') },
      { op: 'set', key: k('bin'), value: "\u0000\u00ff zero" },
      { op: 'get', key: k('bin') },
      { op: 'delete', key: k('a') },
      { op: 'has', key: k('a') },
      { op: 'get', key: k('a') },
    ])).toEqual([true, true, 'hello', true, false, 'dflt', true, true, true, "\u0000\u00ff zero", true, false, null]);
  });

  it('setMultiple/getMultiple/deleteMultiple keep the caller\'s keys and defaults', async () => {
    expect(await ops(s, [
      { op: 'setMultiple', values: { [k('m1')]: 1, [k('m2')]: [1, 2] } },
      { op: 'getMultiple', keys: [k('m1'), k('m2'), k('m3')], default: 0 },
      { op: 'deleteMultiple', keys: [k('m1'), k('m3')] },
      { op: 'getMultiple', keys: [k('m1'), k('m2')] },
    ])).toEqual([true, { [k('m1')]: 1, [k('m2')]: [1, 2], [k('m3')]: 0 }, true, { [k('m1')]: null, [k('m2')]: [1, 2] }]);
  });

  it('a TTL expires the key (observed by polling has(), bounded)', async () => {
    const [set, has, waited, get] = await ops(s, [
      // 2 s: PHP rounds to whole seconds, so the key lives more than 1 s and has() right after sees it.
      { op: 'set', key: k('short'), value: 'v', ttl: 2 },
      { op: 'has', key: k('short') },
      { op: 'untilMissing', key: k('short'), within: 5 },
      { op: 'get', key: k('short') },
    ]);
    expect([set, has, get]).toEqual([true, true, null]);
    expect(waited as number).toBeGreaterThan(0);
    expect(waited as number).toBeLessThan(5);
    expect(waited as number).toBeGreaterThan(0.5);
  });

  it('a TTL of zero or less deletes (PSR-16); invalid keys are rejected in PHP', async () => {
    const out = await ops(s, [
      { op: 'set', key: k('z'), value: 1 },
      { op: 'set', key: k('z'), value: 2, ttl: 0 },
      { op: 'has', key: k('z') },
      { op: 'get', key: '' },
      { op: 'get', key: 'a:b' },
    ]);
    expect(out.slice(0, 3)).toEqual([true, true, false]);
    expect(out[3]).toMatchObject({ error: 'RR\\Worker\\KeyValue\\InvalidArgumentException' });
    expect(out[4]).toMatchObject({ error: 'RR\\Worker\\KeyValue\\InvalidArgumentException' });
  });

  if (opts.ttlSupported) {
    it('getTtl reports the expiry set (second precision) and null without one; expire() moves it', async () => {
      const before = Math.floor(Date.now() / 1000);
      const [, ttl, , none, , moved] = (await ops(s, [
        { op: 'set', key: k('t'), value: 'x', ttl: 100 },
        { op: 'ttl', key: k('t') },
        { op: 'set', key: k('forever'), value: 'x' },
        { op: 'ttl', key: k('forever') },
        { op: 'expire', keys: [k('forever')], ttl: 300 },
        { op: 'ttl', key: k('forever') },
      ])) as number[];
      expect(ttl).toBeGreaterThanOrEqual(before + 99);
      expect(ttl).toBeLessThanOrEqual(before + 102);
      expect(none).toBeNull();
      expect(moved).toBeGreaterThanOrEqual(before + 299);
    });
  } else {
    it('getTtl throws NotImplementedException (the server says <driver>_plugin_ttl)', async () => {
      const [, ttl] = await ops(s, [{ op: 'set', key: k('t'), value: 'x', ttl: 100 }, { op: 'ttl', key: k('t') }]);
      expect(ttl).toMatchObject({ error: 'RR\\Worker\\KeyValue\\NotImplementedException' });
    });
  }

  it('an unknown storage gives StorageException; clear() empties the storage', async () => {
    const [unknown] = await ops('no-such-storage', [{ op: 'get', key: 'x' }]);
    expect(unknown).toMatchObject({ error: 'RR\\Worker\\KeyValue\\StorageException' });
    expect(await ops(s, [
      { op: 'set', key: k('c1'), value: 1 },
      { op: 'clear' },
      { op: 'has', key: k('c1') },
    ])).toEqual([true, true, false]);
  });
}

import { describe, expect, it } from 'vitest';
import { MemoryKvStorage } from '@rr/plugin-memory';
import { decodeKvResponse, encodeKvRequest } from './proto.js';
import { kvService } from './service.js';
import { formatTimeout, parseTimeout } from './timeout.js';

function call(service: ReturnType<typeof kvService>, name: string, body: Uint8Array, codec: 'proto' | 'json' = 'proto') {
  return Promise.resolve(service.methods[name]!({ method: `kv.${name}`, body, codec }));
}

describe('kv RPC service', () => {
  const storage = new MemoryKvStorage();
  const service = kvService((n) => (n === 'c' ? storage : undefined));

  it('names storage errors as RoadRunner does (PHP matches "no such storage")', async () => {
    await expect(call(service, 'Has', encodeKvRequest('', [{ key: 'a' }]))).rejects.toThrow('no storage provided');
    await expect(call(service, 'Has', encodeKvRequest('x', [{ key: 'a' }]))).rejects.toThrow('no such storage: x');
    await expect(call(service, 'Has', encodeKvRequest('c', [{ key: ' ' }]))).rejects.toThrow(/empty key/);
    await expect(call(service, 'Has', new Uint8Array(), 'json')).rejects.toThrow(/protobuf/);
    await expect(call(service, 'Set', encodeKvRequest('c', [{ key: 'a', value: Buffer.from('v'), timeout: 'tomorrow' }]))).rejects.toThrow(/RFC 3339/);
  });

  it('replies with only the keys found, timeouts as whole-second RFC 3339 with +00:00', async () => {
    await call(service, 'Set', encodeKvRequest('c', [
      { key: 'a', value: Buffer.from('1'), timeout: '2999-01-02T03:04:05.678+02:00' },
      { key: 'b', value: Buffer.from('2') },
    ]));
    const got = decodeKvResponse((await call(service, 'MGet', encodeKvRequest('c', [{ key: 'a' }, { key: 'zz' }, { key: 'b' }]))).body);
    expect(got.map((i) => [i.key, Buffer.from(i.value).toString()])).toEqual([['a', '1'], ['b', '2']]);
    const ttl = decodeKvResponse((await call(service, 'TTL', encodeKvRequest('c', [{ key: 'a' }, { key: 'b' }, { key: 'zz' }]))).body);
    expect(ttl.map((i) => [i.key, i.timeout])).toEqual([['a', '2999-01-02T01:04:05+00:00'], ['b', '']]);
  });

  it('parses and formats timeouts', () => {
    expect(parseTimeout('', 'k')).toBeUndefined();
    expect(parseTimeout('2025-01-01T10:00:00Z', 'k')).toBe(Date.UTC(2025, 0, 1, 10));
    expect(() => parseTimeout('2025-01-01 10:00:00', 'k')).toThrow(/RFC 3339/);
    expect(formatTimeout(Date.UTC(2025, 0, 1, 10, 0, 0, 999))).toBe('2025-01-01T10:00:00+00:00');
    expect(formatTimeout(null)).toBe('');
  });
});

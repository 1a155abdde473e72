import { describe, expect, it } from 'vitest';
import { compileMemcachedAddrs, memcachedExpiry } from './kv-storage.js';

describe('memcached kv driver', () => {
  it('turns absolute expiries into memcached seconds (relative up to 30 days, absolute beyond)', () => {
    const now = 1_700_000_000_000;
    expect(memcachedExpiry(undefined, now)).toBe(0);
    expect(memcachedExpiry(now + 1500, now)).toBe(2);
    expect(memcachedExpiry(now - 1, now)).toBe(-1);
    expect(memcachedExpiry(now + 31 * 86400_000, now)).toBe(Math.ceil((now + 31 * 86400_000) / 1000));
  });

  it('reads addr as a list or a single string', () => {
    expect(compileMemcachedAddrs({}, 'c')).toEqual(['127.0.0.1:11211']);
    expect(compileMemcachedAddrs({ addr: 'a:1, b:2' }, 'c')).toEqual(['a:1', 'b:2']);
    expect(() => compileMemcachedAddrs({ addr: ['nope'] }, 'c')).toThrow(/c\.addr/);
  });
});

import { describe, expect, it } from 'vitest';
import { encodeFields } from './encode-value.js';

const compact = { spaced: false, isoTime: false };
const spaced = { spaced: true, isoTime: true };

describe('encodeFields', () => {
  it('skips undefined and functions, keeps null, quotes keys', () => {
    expect(encodeFields({ a: undefined, b: null, 'c"d': 1, f: () => 1 }, compact)).toBe('"b":null,"c\\"d":1');
    expect(encodeFields({ a: undefined }, compact)).toBe('');
  });

  it('writes non-finite numbers as zap does and bigints as digits', () => {
    expect(encodeFields({ a: Number.NaN, b: Infinity, c: -Infinity, d: 2n ** 64n, e: 1.5 }, compact))
      .toBe('"a":"NaN","b":"+Inf","c":"-Inf","d":18446744073709551616,"e":1.5');
  });

  it('handles collections, toJSON, bytes, cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    expect(encodeFields({
      m: new Map([['k', 1]]), s: new Set(['x']), u: new URL('http://a/b'), buf: Buffer.from('hi'), cyclic,
      arr: [undefined, 1],
    }, compact)).toBe('"m":{"k":1},"s":["x"],"u":"http://a/b","buf":"aGk=","cyclic":{"name":"c","self":"[Circular]"},"arr":[null,1]');
  });

  it('uses the error message, with a code in front when the message lacks it', () => {
    expect(encodeFields({ error: new Error('plain') }, compact)).toBe('"error":"plain"');
    const coded = Object.assign(new Error('no pool'), { code: 'RR_ERR_X' });
    expect(encodeFields({ error: coded }, spaced)).toBe('"error": "RR_ERR_X: no pool"');
    const prefixed = Object.assign(new Error('RR_ERR_X: no pool'), { code: 'RR_ERR_X' });
    expect(encodeFields({ error: prefixed }, compact)).toBe('"error":"RR_ERR_X: no pool"');
  });

  it('spaces like zap\'s console encoder', () => {
    expect(encodeFields({ a: [1, { b: 'c', d: [] }], e: {} }, spaced)).toBe('"a": [1, {"b": "c", "d": []}], "e": {}');
  });
});

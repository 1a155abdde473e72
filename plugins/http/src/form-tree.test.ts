import { describe, expect, it } from 'vitest';
import { fieldSegments, formTree, FormTreeError } from './form-tree.js';
import { parseUrlEncoded } from './query.js';

function tree(body: string): unknown {
  const f = parseUrlEncoded(body);
  if (typeof f === 'string') throw new Error(f);
  return formTree(f);
}

describe('form tree', () => {
  it('splits names like RoadRunner', () => {
    expect(fieldSegments('a')).toEqual(['a']);
    expect(fieldSegments('a[b][c]')).toEqual(['a', 'b', 'c']);
    expect(fieldSegments('a[]')).toEqual(['a', '']);
    expect(fieldSegments('a[b]c')).toEqual(['a', 'b', 'c']);
    expect(fieldSegments('a [ b ] [ ]')).toEqual(['a', 'b', '']);
    expect(fieldSegments('')).toEqual(['']);
  });

  it('builds the documented example', () => {
    expect(tree('a=1&a=2&b[]=x&b[]=y&c[d]=z&e=')).toEqual({ a: '2', b: ['x', 'y'], c: { d: 'z' }, e: '' });
  });

  it('keeps numeric keys as object keys and nests lists', () => {
    expect(tree('m[0][n]=1&m[1][n]=2&x[y][]=1&x[y][]=2')).toEqual({ m: { 0: { n: '1' }, 1: { n: '2' } }, x: { y: ['1', '2'] } });
  });

  it('lets empty values neither destroy nor block data', () => {
    expect(tree('a[b]=1&a=')).toEqual({ a: { b: '1' } });
    expect(tree('a=&a[b]=1')).toEqual({ a: { b: '1' } });
  });

  it('rejects a scalar meeting a branch', () => {
    expect(() => tree('a=1&a[b]=2')).toThrow(FormTreeError);
    expect(() => tree('a[b]=2&a=1')).toThrow("invalid multiple values to key 'a' in tree");
  });

  it('ignores names deeper than 127 levels', () => {
    expect(tree(`${'a'}${'[x]'.repeat(127)}=1&ok=1`)).toEqual({ ok: '1' });
  });
});

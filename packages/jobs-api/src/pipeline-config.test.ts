import { describe, expect, it } from 'vitest';
import { ConfigError } from '@rr/plugin-api';
import { pipelineConfigReader } from './pipeline-config.js';

const err = (fn: () => unknown): string => {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(ConfigError); return (e as Error).message; }
  throw new Error('expected a ConfigError');
};

describe('pipelineConfigReader', () => {
  it('reads typed values and falls back to defaults for absent or null keys', () => {
    const r = pipelineConfigReader({ q: 'jobs', n: 5, b: true, d: '2s', z: null, m: { a: 1, p: { x: 'y' } } }, 'p.cfg');
    expect(r.str('q', 'x')).toBe('jobs');
    expect(r.str('z', 'x')).toBe('x');
    expect(r.int('n', 1)).toBe(5);
    expect(r.int('missing', 7)).toBe(7);
    expect(r.bool('b')).toBe(true);
    expect(r.bool('missing')).toBe(false);
    expect(r.bool('missing', true)).toBe(true);
    expect(r.durationMs('d', 1)).toBe(2000);
    expect(r.durationMs('missing', 30_000)).toBe(30_000);
    expect(r.stringMap('m')).toEqual({ a: '1', p: '{"x":"y"}' });
    expect(r.stringMap('missing')).toEqual({});
  });

  it('is strict by default: strings are not numbers or booleans, and "" is a value', () => {
    const r = pipelineConfigReader({ n: '10', b: 'true', s: '', e: '' }, 'p');
    expect(err(() => r.int('n', 1))).toBe('p.n: expected an integer >= 0, found "10"');
    expect(err(() => r.bool('b'))).toBe('p.b: expected a boolean, found "true"');
    expect(r.str('s', 'dflt')).toBe('');
    expect(err(() => r.int('e', 1))).toBe('p.e: expected an integer >= 0, found ""');
  });

  it('takes RPC-declared strings and "" as default when asked to', () => {
    const r = pipelineConfigReader({ n: '10', neg: '-1', b: 'false', s: '', e: '' }, 'p',
      { acceptStrings: true, emptyStringIsDefault: true, emptyIntIsDefault: true });
    expect(r.int('n', 1)).toBe(10);
    expect(r.int('neg', 0, -1)).toBe(-1);
    expect(r.bool('b', true)).toBe(false);
    expect(r.str('s', 'dflt')).toBe('dflt');
    expect(r.int('e', 3)).toBe(3);
    expect(err(() => r.bool('n'))).toBe('p.n: expected a boolean, found "10"');
  });

  it('names the range it wanted', () => {
    const r = pipelineConfigReader({ a: 0, b: 21, c: 1.5 }, 'p');
    expect(err(() => r.int('a', 10, 1))).toBe('p.a: expected an integer >= 1, found 0');
    expect(err(() => r.int('b', 0, 0, 20))).toBe('p.b: expected an integer from 0 to 20, found 21');
    expect(err(() => r.int('c', 0))).toBe('p.c: expected an integer >= 0, found 1.5');
  });

  it('rejects non-positive durations only when asked to', () => {
    const raw = { d: '-1s', zero: 0, empty: '' };
    expect(pipelineConfigReader(raw, 'p').durationMs('d', 5)).toBe(-1000);
    const strict = pipelineConfigReader(raw, 'p', { positiveDurations: true });
    expect(err(() => strict.durationMs('d', 5))).toBe('p.d: expected a positive duration such as 30s, found "-1s"');
    expect(strict.durationMs('zero', 5)).toBe(5);
    expect(strict.durationMs('empty', 5)).toBe(5);
  });

  it('rejects wrong types with the key path', () => {
    const r = pipelineConfigReader({ s: 1, m: [1] }, 'jobs.pipelines.x.config');
    expect(err(() => r.str('s', ''))).toBe('jobs.pipelines.x.config.s: expected a string, found 1');
    expect(err(() => r.stringMap('m'))).toBe('jobs.pipelines.x.config.m: expected a map of names to values, found [1]');
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { GO_DURATION_PATTERN, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['30s', 30_000],
    ['1.5h', 5_400_000],
    ['1h2m3s', 3_723_000],
    ['10us', 0.01],
    ['10µs', 0.01],
    ['10μs', 0.01],
    ['250ns', 0.00025],
    ['0.3s', 300],
    ['.5s', 500],
    ['1.s', 1000],
    ['-2m', -120_000],
    ['+1s', 1000],
    ['0', 0],
  ])('parses %j as %d ms', (input, ms) => {
    expect(parseDuration(input, 'a.b')).toBeCloseTo(ms, 9);
  });

  it('treats a bare number as nanoseconds (RoadRunner quirk)', () => {
    expect(parseDuration(60, 'x')).toBe(0.00006);
    expect(parseDuration(30_000_000_000, 'x')).toBe(30_000);
  });

  it('rejects a numeric string with "missing unit", naming the path and the value', () => {
    let err: unknown;
    try {
      parseDuration('60', 'http.pool.allocate_timeout');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.code).toBe('RR_ERR_CONFIG_INVALID');
    expect(ce.path).toBe('http.pool.allocate_timeout');
    expect(ce.found).toBe('60');
    expect(ce.message).toContain('missing unit');
    expect(ce.message).toContain('http.pool.allocate_timeout');
    expect(ce.message).toContain('"60"');
  });

  it.each([['1d'], ['5 s'], ['s'], [''], ['1.5.5s'], ['abc'], ['--1s'], ['1h 2m']])('rejects %j', (input) => {
    expect(() => parseDuration(input, 'k')).toThrow(ConfigError);
  });

  it('names the unknown unit', () => {
    expect(() => parseDuration('3d', 'k')).toThrow(/unknown unit "d"/);
  });

  it.each([[true], [null], [undefined], [{}], [[]], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects non-durations: %j', (v) => {
    expect(() => parseDuration(v, 'k')).toThrow(ConfigError);
  });

  it('rejects values beyond the int64 nanosecond range, as Go does', () => {
    expect(() => parseDuration('3000000h', 'k')).toThrow(/out of range/);
  });

  it('GO_DURATION_PATTERN accepts exactly what parseDuration accepts', () => {
    const re = new RegExp(GO_DURATION_PATTERN, 'u');
    for (const ok of ['300ms', '1.5h', '1h2m3s', '10µs', '0', '-1s', '.5s']) {
      expect(re.test(ok), ok).toBe(true);
      expect(() => parseDuration(ok, 'k')).not.toThrow();
    }
    for (const bad of ['60', '', '1d', 's', '5 s', '00']) {
      expect(re.test(bad), bad).toBe(false);
      expect(() => parseDuration(bad, 'k'), bad).toThrow();
    }
  });
});

import { ConfigError } from './config.js';

/**
 * The JSON Schema `pattern` of a Go duration string (`300ms`, `1.5h`, `1h2m3s`, `-10us`, `0`).
 * Duration fields in a plugin's schema.json use `{"type": ["string", "integer"], "pattern": <this>}`
 * (an integer is nanoseconds); the config validator recognises this exact pattern and reports
 * `a Go duration like "30s"` instead of the regular expression.
 * @public
 */
export const GO_DURATION_PATTERN = '^[-+]?(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$';

const NS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  '\u00b5s': 1e3, // micro sign
  '\u03bcs': 1e3, // Greek small letter mu; Go accepts both spellings
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

// Go's time.Duration is an int64 of nanoseconds; anything larger does not parse there either.
const MAX_NS = 9_223_372_036_854_775_807;
const EXPECTED = 'a Go duration like "30s" (units: ns, us, ms, s, m, h)';

/**
 * Reads a duration the way RoadRunner does (viper + Go `time.ParseDuration`) and returns
 * milliseconds (fractional below 1 ms, e.g. `"10us"` → 0.01).
 *
 * - A string uses Go syntax: `"300ms"`, `"1.5h"`, `"1h2m3s"`; `"0"` alone needs no unit.
 * - A bare number is **nanoseconds** (RoadRunner quirk: YAML `timeout: 60` is 60 ns, not 60 s).
 * - A numeric string such as `"60"` is an error ("missing unit"), as in RoadRunner.
 *
 * @param path - dotted key path used in the error, e.g. `http.pool.allocate_timeout`
 * @throws {@link ConfigError} naming the path, what was expected and what was found
 * @public
 */
export function parseDuration(value: unknown, path: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > MAX_NS) throw new ConfigError(path, EXPECTED, value);
    return Math.trunc(value) / 1e6;
  }
  if (typeof value !== 'string') throw new ConfigError(path, EXPECTED, value);
  return parseDurationString(value, path) / 1e6;
}

function parseDurationString(input: string, path: string): number {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new ConfigError(path, EXPECTED, input);

  let ns = 0;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = num?.[1] ?? '';
    const frac = num?.[2] ?? '';
    if (num === null || (whole === '' && frac === '')) throw new ConfigError(path, EXPECTED, input);
    s = s.slice(num[0].length);

    const unitMatch = /^[^\d.]*/.exec(s);
    const unit = unitMatch?.[0] ?? '';
    if (unit === '') throw new ConfigError(path, `${EXPECTED}; missing unit in "${input}"`, input);
    const scale = NS_PER_UNIT[unit];
    if (scale === undefined) throw new ConfigError(path, `${EXPECTED}; unknown unit "${unit}" in "${input}"`, input);
    s = s.slice(unit.length);

    // Whole and fractional parts are scaled separately so "0.3s" is exactly 300000000 ns.
    ns += Number(whole === '' ? 0 : whole) * scale;
    if (frac !== '') ns += Math.round(Number(`0.${frac}`) * scale);
    if (ns > MAX_NS) throw new ConfigError(path, `${EXPECTED}; "${input}" is out of range`, input);
  }
  return sign * ns;
}

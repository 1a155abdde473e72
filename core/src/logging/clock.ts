import { performance } from 'node:perf_hooks';

/**
 * Wall-clock time with sub-millisecond digits, as an integer-nanosecond string (it does not fit a
 * double). The fraction comes from the monotonic clock, re-anchored to Date.now() whenever the two
 * drift apart by a millisecond, so `ts` stays within a millisecond of the wall clock (NTP steps,
 * suspend) while records within one millisecond still get distinct, increasing stamps.
 */
let anchorWallMs = Date.now();
let anchorPerfMs = performance.now();

export function nowNs(): string {
  const wall = Date.now();
  let delta = performance.now() - anchorPerfMs;
  if (Math.abs(anchorWallMs + delta - wall) >= 1) {
    anchorWallMs = wall;
    anchorPerfMs = performance.now();
    delta = 0;
  }
  const whole = Math.floor(delta);
  const frac = Math.floor((delta - whole) * 1e6);
  return `${anchorWallMs + whole}${frac < 100000 ? String(frac).padStart(6, '0') : frac}`;
}

/** Milliseconds since the epoch → integer nanoseconds, as a string. */
export function msToNs(ms: number): string {
  return ms === 0 ? '0' : `${Math.trunc(ms)}000000`;
}

let cachedSecond = -1;
let cachedIso = '';

/** Go layout `2006-01-02T15:04:05-0700` in UTC (so always `+0000`); cached per second. */
export function isoSecondUtc(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === cachedSecond) return cachedIso;
  const iso = new Date(second * 1000).toISOString(); // 2006-01-02T15:04:05.000Z
  cachedSecond = second;
  cachedIso = `${iso.slice(0, 19)}+0000`;
  return cachedIso;
}

import { describe, expect, it } from 'vitest';
import { humanBytes, humanComma, humanSince } from './humanize.js';

describe('humanize (go-humanize formats of rr workers)', () => {
  it('formats bytes in SI units', () => {
    expect(humanBytes(0)).toBe('0 B');
    expect(humanBytes(9)).toBe('9 B');
    expect(humanBytes(999)).toBe('999 B');
    expect(humanBytes(1500)).toBe('1.5 kB');
    expect(humanBytes(31_457_280)).toBe('32 MB');
    expect(humanBytes(30_500_000)).toBe('30 MB');
    expect(humanBytes(30_400_000)).toBe('30 MB');
    expect(humanBytes(30_600_000)).toBe('31 MB');
    expect(humanBytes(82_854_982)).toBe('83 MB');
    expect(humanBytes(1_000_000_000)).toBe('1.0 GB');
  });

  it('adds thousands separators', () => {
    expect(humanComma(0)).toBe('0');
    expect(humanComma(999)).toBe('999');
    expect(humanComma(1_234_567)).toBe('1,234,567');
  });

  it('says how long ago', () => {
    const now = 1_700_000_000_000;
    expect(humanSince(now - 500, now)).toBe('now');
    expect(humanSince(now - 1_500, now)).toBe('1 second ago');
    expect(humanSince(now - 42_000, now)).toBe('42 seconds ago');
    expect(humanSince(now - 90_000, now)).toBe('1 minute ago');
    expect(humanSince(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(humanSince(now - 3 * 3_600_000, now)).toBe('3 hours ago');
    expect(humanSince(now - 3 * 86_400_000, now)).toBe('3 days ago');
    expect(humanSince(now - 100 * 365 * 86_400_000, now)).toBe('a long while ago');
  });
});

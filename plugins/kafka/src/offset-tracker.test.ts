import { describe, expect, it } from 'vitest';
import { OffsetTracker } from './offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits only the contiguous settled prefix', () => {
    const t = new OffsetTracker();
    for (const o of [5n, 6n, 7n, 8n]) t.delivered('t', 0, o);
    expect(t.window('t', 0)).toBe(4);
    expect(t.settled('t', 0, 6n)).toBeUndefined(); // 5 still open
    expect(t.window('t', 0)).toBe(4); // 6 is settled but would be read again after a crash
    expect(t.settled('t', 0, 8n)).toBeUndefined();
    expect(t.settled('t', 0, 5n)).toBe(7n); // 6 done, 7 open: next to read is 7
    expect(t.settled('t', 0, 7n)).toBe(9n);
    expect(t.window('t', 0)).toBe(0);
    expect(t.size).toBe(0);
  });

  it('keeps partitions apart and ignores unknown or repeated settles', () => {
    const t = new OffsetTracker();
    t.delivered('t', 0, 1n);
    t.delivered('t', 1, 1n);
    expect(t.settled('t', 1, 1n)).toBe(2n);
    expect(t.settled('t', 1, 1n)).toBeUndefined();
    expect(t.settled('u', 0, 1n)).toBeUndefined();
    expect(t.size).toBe(1);
    t.forget('t', 0);
    expect(t.size).toBe(0);
    expect(t.settled('t', 0, 1n)).toBeUndefined();
  });
});

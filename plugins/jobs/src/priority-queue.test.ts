import { describe, expect, it } from 'vitest';
import { PriorityQueue } from './priority-queue.js';

describe('PriorityQueue', () => {
  it('pops lowest priority first, FIFO within a priority', () => {
    const q = new PriorityQueue<string>();
    const input: Array<[number, string]> = [[5, 'a'], [1, 'b'], [5, 'c'], [3, 'd'], [1, 'e'], [10, 'f'], [3, 'g']];
    for (const [p, v] of input) q.push(p, v);
    const out: string[] = [];
    while (q.size > 0) out.push(q.pop()!);
    expect(out).toEqual(['b', 'e', 'd', 'g', 'a', 'c', 'f']);
    expect(q.pop()).toBeUndefined();
  });

  it('remove takes matching values out and keeps the order of the rest', () => {
    const q = new PriorityQueue<number>();
    for (let i = 0; i < 100; i++) q.push(i % 7, i);
    const taken = q.remove((v) => v % 2 === 0);
    expect(taken).toHaveLength(50);
    const out: number[] = [];
    while (q.size > 0) out.push(q.pop()!);
    const expected = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 2 === 1).sort((x, y) => (x % 7) - (y % 7) || x - y);
    expect(out).toEqual(expected);
  });
});

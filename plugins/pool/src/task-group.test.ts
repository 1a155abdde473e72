import { describe, expect, it } from 'vitest';
import { TaskGroup } from './task-group.js';

describe('TaskGroup', () => {
  it('takes its items oldest first and is empty afterwards', () => {
    const g = new TaskGroup<string>();
    for (const s of ['a', 'b', 'c']) g.add(s);
    expect(g.take()).toEqual(['a', 'b', 'c']);
    expect(g.empty).toBe(true);
    expect(g.take()).toEqual([]);
  });

  it('removes from the head, the middle and the tail; a second remove is a no-op', () => {
    const g = new TaskGroup<string>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((s) => g.add(s));
    g.remove(b!);
    g.remove(b!);
    g.remove(d!);
    g.remove(a!);
    expect(g.take()).toEqual(['c']);
    g.remove(c!); // already taken
    expect(g.empty).toBe(true);
  });

  it('ignores a link of another group and keeps working after take', () => {
    const g = new TaskGroup<number>();
    const other = new TaskGroup<number>();
    const foreign = other.add(1);
    g.add(2);
    g.remove(foreign);
    expect(other.take()).toEqual([1]);
    expect(g.take()).toEqual([2]);
    const late = g.add(3);
    g.add(4);
    g.remove(late);
    expect(g.take()).toEqual([4]);
  });
});

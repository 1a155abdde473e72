/**
 * A binary min-heap ordered by (priority, insertion order): lower priority values run first, and
 * jobs of equal priority keep their arrival order.
 */
export class PriorityQueue<T> {
  private heap: Array<{ priority: number; seq: number; value: T }> = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /**
   * Adds `value`; returns its arrival number. A value taken out and put back passes its old number
   * as `seq` to keep its place among equal priorities.
   */
  push(priority: number, value: T, seq = this.seq++): number {
    const h = this.heap;
    h.push({ priority, seq, value });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
    return seq;
  }

  /** The value `pop` would return, left in place. */
  peek(): T | undefined {
    return this.heap[0]?.value;
  }

  pop(): T | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(l, m)) m = l;
        if (r < h.length && this.less(r, m)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top.value;
  }

  /** Removes and returns every value matching `pred` (pause/destroy take a pipeline's jobs out). */
  remove(pred: (value: T) => boolean): T[] {
    const taken: Array<{ priority: number; seq: number; value: T }> = [];
    const kept: Array<{ priority: number; seq: number; value: T }> = [];
    for (const e of this.heap) (pred(e.value) ? taken : kept).push(e);
    if (taken.length === 0) return [];
    kept.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    // A sorted array is a valid heap.
    this.heap = kept;
    return taken.map((e) => e.value);
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.priority < y.priority || (x.priority === y.priority && x.seq < y.seq);
  }
}

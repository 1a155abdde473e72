/**
 * Per topic-partition bookkeeping of delivered offsets, so rr commits only up to the first offset
 * not yet settled: an ack of a later record never commits past an earlier one still running or
 * lost in a crash (RoadRunner's marks can, and a restart then skips the earlier job).
 */
export class OffsetTracker {
  /** Delivered, not yet settled, per "topic\0partition", in delivery order (offsets ascending). */
  private readonly open = new Map<string, bigint[]>();
  /** Highest offset delivered per partition (settled or not). */
  private readonly highest = new Map<string, bigint>();

  private static key(topic: string, partition: number): string {
    return `${topic}\0${partition}`;
  }

  delivered(topic: string, partition: number, offset: bigint): void {
    const k = OffsetTracker.key(topic, partition);
    let list = this.open.get(k);
    if (list === undefined) this.open.set(k, (list = []));
    list.push(offset);
    const h = this.highest.get(k);
    if (h === undefined || offset > h) this.highest.set(k, offset);
  }

  /**
   * Marks an offset settled and returns the offset to commit (the next record to read) when the
   * committable position moved, else undefined.
   */
  settled(topic: string, partition: number, offset: bigint): bigint | undefined {
    const k = OffsetTracker.key(topic, partition);
    const list = this.open.get(k);
    if (list === undefined) return undefined;
    const i = list.indexOf(offset);
    if (i < 0) return undefined;
    list.splice(i, 1);
    if (i !== 0) return undefined; // an earlier offset is still open: the position does not move
    return list.length > 0 ? list[0]! : this.highest.get(k)! + 1n;
  }

  /**
   * Records of a partition that a crash now would make rr read again: from the first unsettled
   * one to the highest delivered (settled ones behind an unsettled one included).
   */
  window(topic: string, partition: number): number {
    const k = OffsetTracker.key(topic, partition);
    const first = this.open.get(k)?.[0];
    return first === undefined ? 0 : Number(this.highest.get(k)! - first) + 1;
  }

  /** Unsettled deliveries in total. */
  get size(): number {
    let n = 0;
    for (const l of this.open.values()) n += l.length;
    return n;
  }

  /** Forgets a partition (revoked in a rebalance: its new owner reads from the last commit). */
  forget(topic: string, partition: number): void {
    const k = OffsetTracker.key(topic, partition);
    this.open.delete(k);
    this.highest.delete(k);
  }

  clear(): void {
    this.open.clear();
    this.highest.clear();
  }
}

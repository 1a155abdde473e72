/** Seeded PRNG (mulberry32) so property tests are reproducible: a failure prints its seed. */
export class Prng {
  #s: number;
  constructor(readonly seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  /** Splits `buf` into views at random points (some 1-byte, some empty pieces). */
  split(buf: Buffer, maxPieces = 40): Buffer[] {
    const cuts = new Set<number>();
    const n = this.int(0, Math.min(maxPieces, buf.length + 1));
    for (let i = 0; i < n; i++) cuts.add(this.int(0, buf.length));
    const points = [0, ...[...cuts].sort((a, b) => a - b), buf.length];
    const out: Buffer[] = [];
    for (let i = 1; i < points.length; i++) out.push(buf.subarray(points[i - 1], points[i]));
    return out;
  }
}

import { describe, expect, it } from 'vitest';
import { MAX_OPTIONS, encodeFrame, frame } from './frame.js';
import { FrameParser } from './parser.js';
import { rawHeader } from './test-support/raw-header.js';
import { Prng } from './test-support/prng.js';
import type { Frame } from './frame.js';

const SEEDS = Array.from({ length: 40 }, (_, i) => 0x9e3779b9 ^ (i * 7919));

function randomFrame(r: Prng): Frame {
  const sizeClass = r.int(0, 20);
  const size = sizeClass === 0 ? 0 : sizeClass < 17 ? r.int(1, 300) : sizeClass < 20 ? r.int(300, 5000) : r.int(60_000, 140_000);
  const options = Array.from({ length: r.int(0, MAX_OPTIONS) }, () => (r.next() < 0.2 ? 0xffffffff : r.int(0, 2 ** 31)));
  return frame({ flags: r.int(0, 255), stream: r.int(0, 255), options, payload: r.bytes(size) });
}

function same(a: Frame, b: Frame): void {
  expect(a.flags).toBe(b.flags);
  expect(a.stream).toBe(b.stream);
  expect([...a.options]).toEqual([...b.options]);
  expect(a.payload.equals(b.payload)).toBe(true);
}

/** Feeds chunks; returns frames and the first error. Fails the test if anything throws. */
function feed(chunks: Buffer[], options?: ConstructorParameters<typeof FrameParser>[1]) {
  const frames: Frame[] = [];
  const parser = new FrameParser((f) => frames.push(f), options);
  let error;
  for (const c of chunks) {
    const e = parser.push(c);
    if (e && !error) error = e;
    if (error) expect(e).toBe(error);
  }
  return { frames, error, parser };
}

describe('FrameParser properties (seeded)', () => {
  it.each(SEEDS)('random frames split at random points decode identically (seed %i)', (seed) => {
    const r = new Prng(seed);
    const sent = Array.from({ length: r.int(1, 25) }, () => randomFrame(r));
    const wire = Buffer.concat(sent.map((f) => encodeFrame(f)));
    // Copy each piece so views never alias the sender's buffer: proves data really flowed through.
    const { frames, error, parser } = feed(r.split(wire, r.pick([1, 5, 40, 400])).map((b) => Buffer.from(b)));
    expect(error, `seed ${seed}`).toBeUndefined();
    expect(frames).toHaveLength(sent.length);
    sent.forEach((f, i) => same(frames[i]!, f));
    expect(parser.bufferedBytes).toBe(0);
    expect(parser.end()).toBeUndefined();
  });

  it.each(SEEDS)('byte-at-a-time delivery works for small frames (seed %i)', (seed) => {
    const r = new Prng(seed);
    const sent = Array.from({ length: 3 }, () => frame({ ...randomFrame(r), payload: r.bytes(r.int(0, 40)) }));
    const wire = Buffer.concat(sent.map((f) => encodeFrame(f)));
    const chunks = Array.from(wire, (b) => Buffer.from([b]));
    const { frames, error } = feed(chunks);
    expect(error).toBeUndefined();
    sent.forEach((f, i) => same(frames[i]!, f));
  });

  it.each(SEEDS)('a truncated frame yields nothing until completed (seed %i)', (seed) => {
    const r = new Prng(seed);
    const f = randomFrame(r);
    const wire = encodeFrame(f);
    const cut = r.int(0, wire.length - 1);
    const frames: Frame[] = [];
    const parser = new FrameParser((x) => frames.push(x));
    for (const piece of r.split(wire.subarray(0, cut))) expect(parser.push(piece)).toBeUndefined();
    expect(frames).toHaveLength(0);
    expect(parser.bufferedBytes).toBe(cut);
    expect(parser.push(wire.subarray(cut))).toBeUndefined();
    expect(frames).toHaveLength(1);
    same(frames[0]!, f);
    // And a stream that stops at the cut reports TRUNCATED (unless nothing was sent at all).
    const p2 = new FrameParser(() => expect.fail('no frame expected'));
    p2.push(wire.subarray(0, cut));
    expect(p2.end()?.code).toBe(cut === 0 ? undefined : 'RR_ERR_GORIDGE_TRUNCATED');
  });

  it.each(SEEDS)('flipping any bit of bytes 0..9 is a CRC error; other bytes are not covered (seed %i)', (seed) => {
    const r = new Prng(seed);
    const before = randomFrame(r);
    const after = randomFrame(r);
    const wire = encodeFrame(before);
    const index = r.int(0, wire.length - 1);
    const corrupted = Buffer.from(wire);
    corrupted[index]! ^= 1 << r.int(0, 7);
    const stream = Buffer.concat([encodeFrame(after), corrupted, encodeFrame(after)]);
    const { frames, error } = feed(r.split(stream).map((b) => Buffer.from(b)));
    if (index < 10) {
      expect(error?.code).toBe('RR_ERR_GORIDGE_CRC');
      expect(error?.expected).not.toBe(error?.found);
      expect(frames).toHaveLength(1); // the frame before; nothing after the error
      same(frames[0]!, after);
    } else {
      // Byte 10/11, options and payload are outside the CRC (spec §1.2): delivered as changed.
      expect(error).toBeUndefined();
      expect(frames).toHaveLength(3);
    }
  });

  it.each(SEEDS)('random garbage never throws and poisons for good once rejected (seed %i)', (seed) => {
    const r = new Prng(seed);
    const garbage = r.bytes(r.int(1, 4000));
    const { error, parser, frames } = feed(r.split(garbage));
    if (error) {
      expect(error.code).toMatch(/^RR_ERR_GORIDGE_(CRC|VERSION|HEADER|TOO_LARGE|SCRIPT_NOT_FOUND)$/);
      const n = frames.length;
      expect(parser.push(encodeFrame({ payload: Buffer.from('valid') }))).toBe(error);
      expect(frames).toHaveLength(n);
    } else {
      // Garbage can only go unrejected while it looks like the start of a frame (≤ 11 bytes, or a
      // header with a valid CRC by chance — one in 2^32).
      expect(parser.bufferedBytes).toBeLessThan(12);
    }
  });

  it.each(SEEDS)('headers with a valid CRC but bad version/HL/length raise the right code (seed %i)', (seed) => {
    const r = new Prng(seed);
    const good = encodeFrame({ ...randomFrame(r), payload: r.bytes(r.int(0, 1000)) });
    const version = r.pick([0, 2, 3, 15]);
    const hl = r.pick([0, 1, 2, 14, 15]);
    const cases: Array<[Buffer, string, object?]> = [
      [rawHeader((version << 4) | 3, r.int(0, 255), r.int(0, 100)), 'RR_ERR_GORIDGE_VERSION'],
      [rawHeader(0x10 | hl, r.int(0, 255), r.int(0, 100)), 'RR_ERR_GORIDGE_HEADER'],
      [rawHeader(0x13, r.int(0, 255), r.int(1001, 2 ** 32 - 1)), 'RR_ERR_GORIDGE_TOO_LARGE', { maxPayload: 1000 }],
    ];
    for (const [header, code, opts] of cases) {
      const { error, frames } = feed(r.split(Buffer.concat([good, header, good])), opts);
      expect(error?.code).toBe(code);
      expect(frames).toHaveLength(1);
    }
  });
});

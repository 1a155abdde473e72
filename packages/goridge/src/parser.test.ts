import { describe, expect, it } from 'vitest';
import { Flag, encodeFrame } from './frame.js';
import { FrameParser } from './parser.js';
import { rawHeader } from './test-support/raw-header.js';
import type { Frame } from './frame.js';

function collect(options?: ConstructorParameters<typeof FrameParser>[1]): { parser: FrameParser; frames: Frame[] } {
  const frames: Frame[] = [];
  return { parser: new FrameParser((f) => frames.push(f), options), frames };
}

describe('FrameParser', () => {
  it('delivers a payload inside one chunk as a view of that chunk (no copy)', () => {
    const { parser, frames } = collect();
    const wire = Buffer.concat([encodeFrame({ options: [3], payload: Buffer.from('abcdef') }), encodeFrame({})]);
    expect(parser.push(wire)).toBeUndefined();
    expect(frames).toHaveLength(2);
    expect(frames[0]!.payload.buffer).toBe(wire.buffer);
    expect(frames[0]!.payload.byteOffset).toBe(wire.byteOffset + 16);
    expect(frames[1]!.payload.length).toBe(0);
    expect(frames[1]!.options).toHaveLength(0);
  });

  it('keeps the payload a view of the last chunk when only the header was split', () => {
    const { parser, frames } = collect();
    const wire = encodeFrame({ options: [1, 2], payload: Buffer.from('payload!') });
    parser.push(wire.subarray(0, 5));
    const tail = Buffer.from(wire.subarray(5));
    parser.push(tail);
    expect(frames).toHaveLength(1);
    expect([...frames[0]!.options]).toEqual([1, 2]);
    expect(frames[0]!.payload.toString()).toBe('payload!');
    expect(frames[0]!.payload.buffer).toBe(tail.buffer);
  });

  it('copies a payload split over chunks exactly once into a fresh buffer', () => {
    const { parser, frames } = collect();
    const payload = Buffer.alloc(70_000, 7);
    const wire = encodeFrame({ payload });
    for (let i = 0; i < wire.length; i += 65_536) parser.push(Buffer.from(wire.subarray(i, i + 65_536)));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload.equals(payload)).toBe(true);
  });

  it('buffers a partial header and reports TRUNCATED on end()', () => {
    const { parser, frames } = collect();
    parser.push(encodeFrame({ payload: Buffer.from('x') }).subarray(0, 7));
    expect(frames).toHaveLength(0);
    expect(parser.bufferedBytes).toBe(7);
    const err = parser.end();
    expect(err?.code).toBe('RR_ERR_GORIDGE_TRUNCATED');
    expect(err?.message).toContain('expected at least 12 header bytes, found 7');
  });

  it('end() after whole frames is clean', () => {
    const { parser } = collect();
    parser.push(encodeFrame({ payload: Buffer.from('x') }));
    expect(parser.end()).toBeUndefined();
  });

  it('reports a CRC mismatch with expected and found values (garbage on STDOUT)', () => {
    const { parser, frames } = collect();
    const err = parser.push(Buffer.from('Hello world, I am PHP output\n'));
    expect(err?.code).toBe('RR_ERR_GORIDGE_CRC');
    expect(err?.message).toMatch(/expected 0x[0-9a-f]{8}, found 0x[0-9a-f]{8}/);
    expect(err?.message).toContain('"Hello world,"');
    expect(err?.message).toContain('STDERR');
    expect(err?.bytes?.toString()).toBe('Hello world, I am PHP output\n');
    expect(frames).toHaveLength(0);
  });

  it('keeps the bytes after a bad header split across chunks in the error', () => {
    const { parser } = collect();
    expect(parser.push(Buffer.from('Fatal e'))).toBeUndefined();
    const err = parser.push(Buffer.from('rror: oops in x.php'));
    expect(err?.code).toBe('RR_ERR_GORIDGE_CRC');
    expect(err?.bytes?.toString()).toBe('Fatal error: oops in x.php');
  });

  it('recognises PHP-CLI "Could not open input file"', () => {
    const { parser } = collect();
    const err = parser.push(Buffer.from('Could not open input file: /nope.php\n'));
    expect(err?.code).toBe('RR_ERR_GORIDGE_SCRIPT_NOT_FOUND');
    expect(err?.message).toContain('server.command');
  });

  it('rejects a version other than 1 when the CRC is valid', () => {
    const { parser } = collect();
    const err = parser.push(rawHeader(0x23, 0, 0));
    expect(err?.code).toBe('RR_ERR_GORIDGE_VERSION');
    expect(err?.message).toContain('expected 1, found 2');
    expect(collect({ checkVersion: false }).parser.push(rawHeader(0x23, 0, 0))).toBeUndefined();
  });

  it.each([0, 1, 2, 14, 15])('rejects header length %i', (hl) => {
    const err = collect().parser.push(rawHeader(0x10 | hl, 0, 0));
    expect(err?.code).toBe('RR_ERR_GORIDGE_HEADER');
    expect(err?.found).toBe(String(hl));
  });

  it('rejects a payload above maxPayload before buffering it', () => {
    const { parser } = collect({ maxPayload: 1024 });
    expect(parser.push(rawHeader(0x13, 0, 1024))).toBeUndefined();
    expect(parser.bufferedBytes).toBe(12);
    const p2 = collect({ maxPayload: 1024 }).parser;
    const err = p2.push(rawHeader(0x13, 0, 1025));
    expect(err?.code).toBe('RR_ERR_GORIDGE_TOO_LARGE');
    expect(err?.message).toContain('expected at most 1024 bytes, found 1025');
    expect(p2.bufferedBytes).toBe(0);
  });

  it('checks a header split across chunks as soon as its 12th byte arrives', () => {
    const { parser } = collect({ maxPayload: 10 });
    const h = rawHeader(0x13, 0, 11);
    expect(parser.push(h.subarray(0, 11))).toBeUndefined();
    expect(parser.push(h.subarray(11))?.code).toBe('RR_ERR_GORIDGE_TOO_LARGE');
  });

  it('is poisoned after an error: later valid frames are never delivered', () => {
    const { parser, frames } = collect();
    const good = encodeFrame({ flags: Flag.CODEC_JSON, payload: Buffer.from('{}') });
    const err = parser.push(Buffer.concat([good, Buffer.from('garbage!garbage!'), good]));
    expect(err?.code).toBe('RR_ERR_GORIDGE_CRC');
    expect(frames).toHaveLength(1);
    expect(parser.push(good)).toBe(err);
    expect(parser.end()).toBe(err);
    expect(frames).toHaveLength(1);
    expect(parser.error).toBe(err);
  });

  it('poisons itself and rethrows when onFrame throws', () => {
    let calls = 0;
    const parser = new FrameParser(() => {
      calls++;
      throw new Error('handler bug');
    });
    const good = encodeFrame({});
    expect(() => parser.push(Buffer.concat([good, good]))).toThrow('handler bug');
    expect(calls).toBe(1);
    expect(parser.push(good)).toBe(parser.error);
    expect(parser.error?.cause).toBeInstanceOf(Error);
    expect(parser.error?.code).toBe('RR_ERR_GORIDGE_HANDLER');
    expect(calls).toBe(1);
  });
});

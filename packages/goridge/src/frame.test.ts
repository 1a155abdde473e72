import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, headerCrc } from './crc32.js';
import { Flag, StreamBit, encodeFrame, encodeHeader, frame } from './frame.js';
import { FrameParser } from './parser.js';
import type { Frame } from './frame.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

function decodeAll(bytes: Buffer): Frame[] {
  const out: Frame[] = [];
  const err = new FrameParser((f) => out.push(f)).push(bytes);
  expect(err).toBeUndefined();
  return out;
}

/** The worked examples of protocol spec §1.8, as (name, frame, exact wire bytes). */
const examples: Array<[string, Frame, Buffer]> = [
  [
    'E1 pid request',
    frame({ flags: Flag.CONTROL | Flag.CODEC_JSON, payload: ascii('{"pid":12345}') }),
    Buffer.concat([hex('13 09 0d 00 00 00 3a 6b fa cb 00 00'), ascii('{"pid":12345}')]),
  ],
  [
    'E2 pid reply',
    frame({ flags: Flag.CONTROL, payload: ascii('{"pid":4242}') }),
    hex('13 01 0c 00 00 00 9e 47 36 43 00 00 7b 22 70 69 64 22 3a 34 32 34 32 7d'),
  ],
  [
    'E3 stop',
    frame({ flags: Flag.CONTROL | Flag.CODEC_JSON, payload: ascii('{"stop":true}') }),
    hex('13 09 0d 00 00 00 3a 6b fa cb 00 00 7b 22 73 74 6f 70 22 3a 74 72 75 65 7d'),
  ],
  [
    'E4 data frame',
    frame({ flags: Flag.CODEC_JSON, options: [7], payload: ascii('{"a":1}hi') }),
    hex('14 08 09 00 00 00 65 e5 fd 64 00 00 07 00 00 00 7b 22 61 22 3a 31 7d 68 69'),
  ],
  [
    'E5 response',
    frame({ options: [27], payload: ascii('{"status":200,"headers":{}}OK') }),
    Buffer.concat([
      hex('14 00 1d 00 00 00 6c 6e f6 8b 00 00 1b 00 00 00'),
      hex('7b 22 73 74 61 74 75 73 22 3a 32 30 30 2c 22 68 65 61 64 65 72 73 22 3a 7b 7d 7d 4f 4b'),
    ]),
  ],
  ['E6 error', frame({ flags: Flag.ERROR, payload: ascii('boom') }), hex('13 40 04 00 00 00 88 1e 11 e3 00 00 62 6f 6f 6d')],
  ['E7 pong', frame({ stream: StreamBit.PONG }), hex('13 00 00 00 00 00 96 d1 80 34 08 00')],
  ['E8 stop bit', frame({ stream: StreamBit.STOP }), hex('13 00 00 00 00 00 96 d1 80 34 02 00')],
  [
    'E9 stream chunk',
    frame({ options: [27], stream: StreamBit.STREAM, payload: ascii('{"status":200,"headers":{}}chunk') }),
    Buffer.concat([hex('14 00 20 00 00 00 10 4e b7 89 01 00 1b 00 00 00'), ascii('{"status":200,"headers":{}}chunk')]),
  ],
  [
    'E10 rpc request',
    frame({ flags: Flag.CODEC_JSON, options: [1, 16], payload: ascii('informer.Workers"http"') }),
    hex(
      '15 08 16 00 00 00 09 71 db a7 00 00 01 00 00 00 10 00 00 00 69 6e 66 6f 72 6d 65 72 2e 57 6f 72 6b 65 72 73 22 68 74 74 70 22',
    ),
  ],
  [
    'E11 rpc error',
    frame({
      flags: Flag.CODEC_JSON | Flag.ERROR,
      options: [7, 12],
      payload: ascii("informer.Foorpc: can't find method informer.Foo"),
    }),
    Buffer.concat([
      hex('15 48 2f 00 00 00 6b 9e 0b 72 00 00 07 00 00 00 0c 00 00 00'),
      ascii("informer.Foorpc: can't find method informer.Foo"),
    ]),
  ],
  [
    'E12 rpc proto request',
    frame({
      flags: Flag.CODEC_PROTO,
      options: [3, 9],
      payload: hex(
        '6a 6f 62 73 2e 50 75 73 68 0a 19 0a 04 70 69 6e 67 12 01 31 1a 01 78 2a 0b 08 0a 12 07 64 65 66 61 75 6c 74',
      ),
    }),
    hex(
      '15 80 24 00 00 00 70 ba 6f 7c 00 00 03 00 00 00 09 00 00 00 6a 6f 62 73 2e 50 75 73 68 0a 19 0a 04 70 69 6e 67 12 01 31 1a 01 78 2a 0b 08 0a 12 07 64 65 66 61 75 6c 74',
    ),
  ],
  [
    'E13 rpc proto response',
    frame({ flags: Flag.CODEC_PROTO, options: [3, 9], payload: ascii('jobs.Push') }),
    hex('15 80 09 00 00 00 93 cd 37 2e 00 00 03 00 00 00 09 00 00 00 6a 6f 62 73 2e 50 75 73 68'),
  ],
];

describe('crc32', () => {
  it('has the IEEE check value', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with zlib.crc32 on random inputs, and headerCrc with crc32 on 6-byte windows', () => {
    let seed = 7;
    for (let i = 0; i < 200; i++) {
      const buf = Buffer.alloc(i % 40);
      for (let j = 0; j < buf.length; j++) buf[j] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(crc32(buf)).toBe(zlibCrc32(buf));
      if (buf.length >= 8) expect(headerCrc(buf, 2)).toBe(zlibCrc32(buf.subarray(2, 8)));
    }
  });
});

describe('encodeFrame against the spec worked examples (§1.8)', () => {
  it.each(examples)('%s encodes byte for byte', (_name, f, wire) => {
    expect(encodeFrame(f).toString('hex')).toBe(wire.toString('hex'));
  });

  it.each(examples)('%s decodes back to the same frame', (_name, f, wire) => {
    const [decoded, ...rest] = decodeAll(wire);
    expect(rest).toHaveLength(0);
    expect(decoded!.flags).toBe(f.flags);
    expect(decoded!.stream).toBe(f.stream);
    expect([...decoded!.options]).toEqual([...f.options]);
    expect(decoded!.payload.toString('hex')).toBe(f.payload.toString('hex'));
  });

  it('decodes all examples concatenated in one chunk', () => {
    const frames = decodeAll(Buffer.concat(examples.map((e) => e[2])));
    expect(frames.map((f) => f.payload.toString('hex'))).toEqual(examples.map((e) => e[1].payload.toString('hex')));
  });

  it('encodeHeader + payload equals encodeFrame', () => {
    for (const [, f, wire] of examples) {
      expect(Buffer.concat([encodeHeader(f), f.payload]).equals(wire)).toBe(true);
    }
  });

  it('writes byte 11 as zero and ignores it on receive', () => {
    const wire = encodeFrame({ payload: ascii('x') });
    expect(wire[11]).toBe(0);
    wire[11] = 0xab;
    expect(decodeAll(wire)[0]!.payload.toString()).toBe('x');
  });
});

describe('encodeFrame limits', () => {
  const bad: Array<[string, Parameters<typeof encodeFrame>[0]]> = [
    ['11 options', { options: new Array(11).fill(0) }],
    ['negative option', { options: [-1] }],
    ['option above uint32', { options: [2 ** 32] }],
    ['fractional option', { options: [1.5] }],
    ['NaN option', { options: [Number.NaN] }],
    ['flags above a byte', { flags: 0x100 }],
    ['negative stream byte', { stream: -1 }],
  ];
  it.each(bad)('rejects %s with RR_ERR_GORIDGE_ENCODE', (_n, f) => {
    expect(() => encodeFrame(f)).toThrow(expect.objectContaining({ code: 'RR_ERR_GORIDGE_ENCODE' }));
  });

  it('accepts 10 options (HL 13) and the uint32 maximum as an option', () => {
    const opts = [0xffffffff, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const wire = encodeFrame({ options: opts, payload: ascii('p') });
    expect(wire[0]).toBe(0x1d);
    expect([...decodeAll(wire)[0]!.options]).toEqual(opts);
  });
});

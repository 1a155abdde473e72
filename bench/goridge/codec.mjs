// In-process goridge codec throughput: frames encoded+decoded per second for payloads of
// 0 B, 1 KiB and 64 KiB. Uses the compiled package: run `pnpm exec tsc -b packages/goridge` first.
//   node bench/goridge/codec.mjs [--seconds 1]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FrameParser, encodeFrame, Flag } from '../../packages/goridge/dist/index.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
const seconds = Number(values.seconds);

function measure(label, fn) {
  // Warm up so the JIT has compiled the hot path before timing.
  const warmEnd = performance.now() + 200;
  while (performance.now() < warmEnd) fn(1000);
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    ops += fn(1000);
    now = performance.now();
  }
  return ops / ((now - start) / 1000);
}

const rows = [];
for (const size of [0, 1024, 64 * 1024]) {
  const payload = Buffer.alloc(size, 0x61);
  const f = { flags: Flag.CODEC_JSON, options: [Math.min(size, 16)], payload, stream: 0 };
  const wire = encodeFrame(f);
  let sink = 0;

  const encode = measure('encode', (n) => {
    for (let i = 0; i < n; i++) sink ^= encodeFrame(f).length;
    return n;
  });

  const parser = new FrameParser((frame) => (sink ^= frame.payload.length));
  const decode = measure('decode', (n) => {
    for (let i = 0; i < n; i++) parser.push(wire);
    return n;
  });

  // A 64 KiB frame split over two reads exercises the copying path (a socket read is ≤ 64 KiB).
  const half = wire.length >> 1;
  const a = wire.subarray(0, half);
  const b = wire.subarray(half);
  const splitDecode = measure('split', (n) => {
    for (let i = 0; i < n; i++) {
      parser.push(a);
      parser.push(b);
    }
    return n;
  });

  const both = measure('both', (n) => {
    for (let i = 0; i < n; i++) parser.push(encodeFrame(f));
    return n;
  });
  if (parser.error) throw parser.error;
  rows.push({ size, encode, decode, splitDecode, both, sink });
}

const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(14);
console.log(`goridge codec, node ${process.version}, ${seconds}s per figure (frames/s; MB/s of payload for encode+decode)`);
console.log('  payload' + ['encode', 'decode', 'decode split', 'encode+decode'].map((h) => h.padStart(14)).join('') + '      MB/s');
for (const r of rows) {
  const mbs = ((r.both * r.size) / 1e6).toFixed(0).padStart(10);
  console.log(`${String(r.size).padStart(7)} B${fmt(r.encode)}${fmt(r.decode)}${fmt(r.splitDecode)}${fmt(r.both)}${mbs}`);
}

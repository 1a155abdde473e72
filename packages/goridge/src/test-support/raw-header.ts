import { headerCrc } from '../crc32.js';

/** A 12-byte header with a correct CRC but arbitrary byte 0 / length, to reach the checks after the CRC. */
export function rawHeader(b0: number, flags: number, length: number, stream = 0): Buffer {
  const h = Buffer.alloc(12);
  h[0] = b0;
  h[1] = flags;
  h.writeUInt32LE(length >>> 0, 2);
  h.writeUInt32LE(headerCrc(h, 0), 6);
  h[10] = stream;
  return h;
}

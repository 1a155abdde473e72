/**
 * CRC-32 (IEEE 802.3 / zlib / PHP crc32 / Go crc32.ChecksumIEEE): reflected polynomial 0xEDB88320,
 * init and final XOR 0xFFFFFFFF. The frame header needs it over 6 bytes only, where a JS table loop
 * beats a native call into zlib.crc32 (crossing into C++ costs more than 6 table lookups).
 */
const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 of `bytes[start..end)`, as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** CRC-32 of the six header bytes at `offset` (version/HL, flags, payload length). */
export function headerCrc(bytes: Uint8Array, offset: number): number {
  let c = -1;
  c = TABLE[(c ^ bytes[offset]!) & 0xff]! ^ (c >>> 8);
  c = TABLE[(c ^ bytes[offset + 1]!) & 0xff]! ^ (c >>> 8);
  c = TABLE[(c ^ bytes[offset + 2]!) & 0xff]! ^ (c >>> 8);
  c = TABLE[(c ^ bytes[offset + 3]!) & 0xff]! ^ (c >>> 8);
  c = TABLE[(c ^ bytes[offset + 4]!) & 0xff]! ^ (c >>> 8);
  c = TABLE[(c ^ bytes[offset + 5]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

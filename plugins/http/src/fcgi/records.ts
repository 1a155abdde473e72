/**
 * FastCGI 1.0 records: the 8-byte header (version, type, request id, content length, padding
 * length, reserved), name-value pairs with 1- or 4-byte lengths, and an incremental reader.
 */

export const FCGI_VERSION = 1;
export const HEADER_LEN = 8;
export const MAX_CONTENT = 0xffff;

export const RecordType = {
  BEGIN_REQUEST: 1,
  ABORT_REQUEST: 2,
  END_REQUEST: 3,
  PARAMS: 4,
  STDIN: 5,
  STDOUT: 6,
  STDERR: 7,
  DATA: 8,
  GET_VALUES: 9,
  GET_VALUES_RESULT: 10,
  UNKNOWN_TYPE: 11,
} as const;

export const Role = { RESPONDER: 1, AUTHORIZER: 2, FILTER: 3 } as const;
export const FLAG_KEEP_CONN = 1;

export const ProtocolStatus = {
  REQUEST_COMPLETE: 0,
  CANT_MPX_CONN: 1,
  OVERLOADED: 2,
  UNKNOWN_ROLE: 3,
} as const;

export interface FcgiRecord {
  readonly type: number;
  readonly requestId: number;
  readonly content: Buffer;
}

export class FcgiProtocolError extends Error {}

/**
 * Splits a byte stream into records. Content is a view into the received chunk when a record
 * arrives whole (the common case), a copy only when it straddles chunks.
 */
export class RecordReader {
  #pending: Buffer | undefined;
  readonly #onRecord: (r: FcgiRecord) => void;

  constructor(onRecord: (r: FcgiRecord) => void) {
    this.#onRecord = onRecord;
  }

  /** Feeds bytes; throws FcgiProtocolError on a record of another protocol version. */
  push(chunk: Buffer): void {
    const buf = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    let off = 0;
    while (buf.length - off >= HEADER_LEN) {
      if (buf[off] !== FCGI_VERSION) throw new FcgiProtocolError(`unsupported FastCGI version ${buf[off]}`);
      const contentLen = buf.readUInt16BE(off + 4);
      const total = HEADER_LEN + contentLen + buf[off + 6]!;
      if (buf.length - off < total) break;
      const type = buf[off + 1]!;
      const requestId = buf.readUInt16BE(off + 2);
      this.#onRecord({ type, requestId, content: buf.subarray(off + HEADER_LEN, off + HEADER_LEN + contentLen) });
      off += total;
    }
    if (off < buf.length) this.#pending = Buffer.from(buf.subarray(off));
  }
}

function writeHeader(out: Buffer, at: number, type: number, requestId: number, contentLen: number, padding: number): void {
  out[at] = FCGI_VERSION;
  out[at + 1] = type;
  out.writeUInt16BE(requestId, at + 2);
  out.writeUInt16BE(contentLen, at + 4);
  out[at + 6] = padding;
  out[at + 7] = 0;
}

/** Bytes of a record stream carrying `data` (split into ≤ 65535-byte records, padded to 8). */
export function encodeStream(type: number, requestId: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  let size = 0;
  for (let off = 0; off < body.length; off += MAX_CONTENT) {
    const n = Math.min(MAX_CONTENT, body.length - off);
    size += HEADER_LEN + n + ((8 - (n % 8)) % 8);
  }
  const out = Buffer.alloc(size);
  let at = 0;
  for (let off = 0; off < body.length; off += MAX_CONTENT) {
    const n = Math.min(MAX_CONTENT, body.length - off);
    const pad = (8 - (n % 8)) % 8;
    writeHeader(out, at, type, requestId, n, pad);
    body.copy(out, at + HEADER_LEN, off, off + n);
    at += HEADER_LEN + n + pad;
  }
  return out;
}

/** One record (content ≤ 65535 bytes), padded to 8. An empty content ends a stream. */
export function encodeRecord(type: number, requestId: number, content: Buffer = Buffer.alloc(0)): Buffer {
  if (content.length > MAX_CONTENT) throw new RangeError('FastCGI record content over 65535 bytes');
  const pad = (8 - (content.length % 8)) % 8;
  const out = Buffer.alloc(HEADER_LEN + content.length + pad);
  writeHeader(out, 0, type, requestId, content.length, pad);
  content.copy(out, HEADER_LEN);
  return out;
}

export function encodeEndRequest(requestId: number, appStatus: number, protocolStatus: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(appStatus >>> 0, 0);
  body[4] = protocolStatus;
  return encodeRecord(RecordType.END_REQUEST, requestId, body);
}

export function encodeUnknownType(type: number): Buffer {
  const body = Buffer.alloc(8);
  body[0] = type;
  return encodeRecord(RecordType.UNKNOWN_TYPE, 0, body);
}

function lengthBytes(n: number): number {
  return n < 128 ? 1 : 4;
}

function writeLength(out: Buffer, at: number, n: number): number {
  if (n < 128) {
    out[at] = n;
    return at + 1;
  }
  out.writeUInt32BE((n | 0x80000000) >>> 0, at);
  return at + 4;
}

/** Name-value pairs (names and values as latin1 bytes, so any byte round-trips). */
export function encodePairs(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  let size = 0;
  for (const [k, v] of pairs) {
    const kl = Buffer.byteLength(k, 'latin1');
    const vl = Buffer.byteLength(v, 'latin1');
    size += lengthBytes(kl) + lengthBytes(vl) + kl + vl;
  }
  const out = Buffer.alloc(size);
  let at = 0;
  for (const [k, v] of pairs) {
    at = writeLength(out, at, Buffer.byteLength(k, 'latin1'));
    at = writeLength(out, at, Buffer.byteLength(v, 'latin1'));
    at += out.write(k, at, 'latin1');
    at += out.write(v, at, 'latin1');
  }
  return out;
}

/** Decodes a complete name-value pair stream; throws FcgiProtocolError when it is truncated. */
export function decodePairs(buf: Buffer): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let at = 0;
  const readLength = (): number => {
    if (at >= buf.length) throw new FcgiProtocolError('truncated name-value pair');
    const b = buf[at]!;
    if (b < 128) {
      at += 1;
      return b;
    }
    if (at + 4 > buf.length) throw new FcgiProtocolError('truncated name-value pair length');
    const n = buf.readUInt32BE(at) & 0x7fffffff;
    at += 4;
    return n;
  };
  while (at < buf.length) {
    const kl = readLength();
    const vl = readLength();
    if (at + kl + vl > buf.length) throw new FcgiProtocolError('truncated name-value pair');
    const k = buf.toString('latin1', at, at + kl);
    const v = buf.toString('latin1', at + kl, at + kl + vl);
    at += kl + vl;
    pairs.push([k, v]);
  }
  return pairs;
}

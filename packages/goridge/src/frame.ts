import { headerCrc } from './crc32.js';
import { GoridgeError, GoridgeErrorCodes } from './errors.js';

/** Flag bits of header byte 1 (protocol spec §1.3). They can be ORed together. */
export const Flag = {
  /** Control frame: JSON command in the payload (pid handshake, stop). */
  CONTROL: 0x01,
  /** Payload is opaque bytes. */
  CODEC_RAW: 0x04,
  /** Payload (or the context part) is JSON. */
  CODEC_JSON: 0x08,
  /** MessagePack (RPC only). */
  CODEC_MSGPACK: 0x10,
  /** Go gob (RPC only). */
  CODEC_GOB: 0x20,
  /** The frame carries an error message instead of a result. */
  ERROR: 0x40,
  /** Protobuf. */
  CODEC_PROTO: 0x80,
} as const;

/** Bits of header byte 10 (protocol spec §1.5). */
export const StreamBit = {
  /** Worker: more response frames follow this one. */
  STREAM: 0x01,
  /** Server: stop streaming, the client went away. */
  STOP: 0x02,
  /** Worker: please answer with PONG. */
  PING: 0x04,
  /** Server: answer to PING. */
  PONG: 0x08,
} as const;

/** Protocol version carried in the high nibble of byte 0. */
export const PROTOCOL_VERSION = 1;
/** Fixed header size in bytes, options excluded. */
export const HEADER_SIZE = 12;
/** Smallest legal header length in 32-bit words (no options). */
export const MIN_HL = 3;
/** Largest legal header length in 32-bit words (10 options); Go panics above it. */
export const MAX_HL = 13;
/** Most options a frame may carry. */
export const MAX_OPTIONS = MAX_HL - MIN_HL;
/** Largest payload the uint32 length field can describe. */
export const MAX_PAYLOAD_LENGTH = 0xffffffff;

/** A decoded frame, or one to encode. */
export interface Frame {
  /** Byte 1: {@link Flag} bits. */
  flags: number;
  /** uint32 options (0..10 of them). */
  options: readonly number[];
  /**
   * The payload. Frames produced by the parser may be views into a received chunk: keep them as
   * long as needed, but copy before mutating.
   */
  payload: Buffer;
  /** Byte 10: {@link StreamBit} bits. */
  stream: number;
}

/** What {@link encodeFrame} accepts: every field optional, payload any Uint8Array. */
export interface FrameInput {
  flags?: number;
  options?: readonly number[];
  payload?: Uint8Array;
  stream?: number;
}

/** Shared, frozen empty option list so option-less frames allocate nothing for it. */
export const NO_OPTIONS: readonly number[] = Object.freeze([]);
const EMPTY = Buffer.alloc(0);

/** Builds a Frame value with defaults (flags 0, no options, empty payload, stream 0). */
export function frame(input: FrameInput = {}): Frame {
  const p = input.payload;
  return {
    flags: input.flags ?? 0,
    options: input.options ?? NO_OPTIONS,
    payload: p === undefined ? EMPTY : Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength),
    stream: input.stream ?? 0,
  };
}

/** Size of header plus options for a frame with `optionCount` options. */
export function headerSize(optionCount: number): number {
  return HEADER_SIZE + optionCount * 4;
}

function encodeError(what: string, found: string): GoridgeError {
  return new GoridgeError(
    GoridgeErrorCodes.ENCODE,
    `cannot encode goridge frame: ${what}, got ${found}; this is a bug in the caller building the frame`,
    { found },
  );
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw encodeError(`${name} must be an integer 0..255`, String(v));
}

/**
 * Writes the header and options of a frame into `target` at `offset` and returns the offset just
 * after the options. The CRC is computed last, over the finished bytes 0..5 (spec §1.7).
 * @throws GoridgeError RR_ERR_GORIDGE_ENCODE when the frame breaks a limit.
 */
export function writeHeader(
  target: Uint8Array,
  offset: number,
  flags: number,
  options: readonly number[],
  payloadLength: number,
  stream: number,
): number {
  const n = options.length;
  if (n > MAX_OPTIONS) throw encodeError(`at most ${MAX_OPTIONS} options are allowed`, `${n} options`);
  if (!(payloadLength >= 0 && payloadLength <= MAX_PAYLOAD_LENGTH))
    throw encodeError(`payload length must fit in uint32`, `${payloadLength} bytes`);
  if ((flags & 0xff) !== flags) checkByte('flags', flags);
  if ((stream & 0xff) !== stream) checkByte('stream byte', stream);
  const o = offset;
  target[o] = (PROTOCOL_VERSION << 4) | (MIN_HL + n);
  target[o + 1] = flags;
  target[o + 2] = payloadLength & 0xff;
  target[o + 3] = (payloadLength >>> 8) & 0xff;
  target[o + 4] = (payloadLength >>> 16) & 0xff;
  target[o + 5] = (payloadLength >>> 24) & 0xff;
  const crc = headerCrc(target, o);
  target[o + 6] = crc & 0xff;
  target[o + 7] = (crc >>> 8) & 0xff;
  target[o + 8] = (crc >>> 16) & 0xff;
  target[o + 9] = (crc >>> 24) & 0xff;
  target[o + 10] = stream;
  target[o + 11] = 0;
  let p = o + HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const v = options[i]!;
    if (!(v >= 0 && v <= 0xffffffff && Math.floor(v) === v))
      throw encodeError(`option ${i} must be an integer 0..4294967295`, String(v));
    target[p] = v & 0xff;
    target[p + 1] = (v >>> 8) & 0xff;
    target[p + 2] = (v >>> 16) & 0xff;
    target[p + 3] = (v >>> 24) & 0xff;
    p += 4;
  }
  return p;
}

/**
 * Encodes a frame into one contiguous buffer (header, options, payload), ready for a single write.
 * @throws GoridgeError RR_ERR_GORIDGE_ENCODE when the frame breaks a limit (more than 10 options,
 *   an option or the length outside uint32, flags/stream outside a byte).
 */
export function encodeFrame(f: FrameInput): Buffer {
  const options = f.options ?? NO_OPTIONS;
  const payload = f.payload;
  const plen = payload === undefined ? 0 : payload.length;
  const buf = Buffer.allocUnsafe(HEADER_SIZE + options.length * 4 + plen);
  const p = writeHeader(buf, 0, f.flags ?? 0, options, plen, f.stream ?? 0);
  if (plen > 0) buf.set(payload!, p);
  return buf;
}

/**
 * Encodes only the header and options of a frame. Send it followed by the payload (e.g. a corked
 * pair of writes, which Node turns into one writev) to avoid copying a large payload.
 */
export function encodeHeader(f: FrameInput): Buffer {
  const options = f.options ?? NO_OPTIONS;
  const buf = Buffer.allocUnsafe(HEADER_SIZE + options.length * 4);
  writeHeader(buf, 0, f.flags ?? 0, options, f.payload === undefined ? 0 : f.payload.length, f.stream ?? 0);
  return buf;
}

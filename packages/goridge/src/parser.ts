import { headerCrc } from './crc32.js';
import { GoridgeError, GoridgeErrorCodes, hex32, hexBytes, printableBytes } from './errors.js';
import { HEADER_SIZE, MAX_HL, MAX_PAYLOAD_LENGTH, MIN_HL, NO_OPTIONS, PROTOCOL_VERSION } from './frame.js';
import type { Frame } from './frame.js';
import { constants as bufferConstants } from 'node:buffer';

/** Options of {@link FrameParser}. */
export interface FrameParserOptions {
  /**
   * Largest payload accepted, in bytes. A header announcing more is rejected with
   * RR_ERR_GORIDGE_TOO_LARGE before any of the payload is buffered.
   * @default 4294967295 (no cap below the uint32 field; clamped to Node's largest Buffer)
   */
  maxPayload?: number;
  /**
   * Reject frames whose version nibble is not 1. Neither RoadRunner nor the PHP library checks it,
   * but every released sender writes 1, so a mismatch means a broken peer.
   * @default true
   */
  checkVersion?: boolean;
}

/** Most bytes after a bad header kept in the error for diagnostics. */
const ERROR_BYTES_LIMIT = 64 * 1024;

/** The bad header plus what followed it in the chunk (copied: the error may outlive the chunk). */
function withRest(head: Buffer, rest: Buffer, restPos: number): Buffer {
  if (restPos >= rest.length) return head;
  return Buffer.concat([head, rest.subarray(restPos, restPos + ERROR_BYTES_LIMIT - HEADER_SIZE)]);
}

/** ASCII "Could not op": the start of PHP-CLI's "Could not open input file: …" (spec §1.6). */
const COULD_NOT_OPEN = Buffer.from('Could not op', 'latin1');

const MAX_BUFFER = Math.min(MAX_PAYLOAD_LENGTH, bufferConstants.MAX_LENGTH);

/**
 * Incremental goridge frame parser. Feed it chunks of any size with {@link push}; it calls
 * `onFrame` for every complete frame, in order. A frame may span any number of chunks and a chunk
 * may hold many frames.
 *
 * Zero-copy: a payload that lies inside one chunk is delivered as a view (`subarray`) of that
 * chunk. Chunks must therefore not be mutated after they are pushed. A payload split across chunks
 * is copied exactly once.
 *
 * Poisoning: the first malformed header (CRC, version, HL, oversized length) makes the parser
 * return a {@link GoridgeError} and ignore everything pushed afterwards. The byte stream has lost
 * its framing and cannot be resynchronised, so the owner MUST drop the connection (kill the worker,
 * close the socket). `onFrame` is never called after an error.
 */
export class FrameParser {
  readonly #onFrame: (frame: Frame) => void;
  readonly #maxPayload: number;
  readonly #checkVersion: boolean;

  /** Pieces of the frame currently being assembled (views into pushed chunks). */
  #parts: Buffer[] = [];
  #partsLength = 0;
  /** Total byte size of the frame being assembled, 0 while its header is still incomplete. */
  #total = 0;
  #flags = 0;
  #stream = 0;
  #optionCount = 0;
  #error: GoridgeError | undefined;

  constructor(onFrame: (frame: Frame) => void, options: FrameParserOptions = {}) {
    this.#onFrame = onFrame;
    this.#maxPayload = Math.min(options.maxPayload ?? MAX_BUFFER, MAX_BUFFER);
    this.#checkVersion = options.checkVersion ?? true;
  }

  /** The error that poisoned the parser, if any. */
  get error(): GoridgeError | undefined {
    return this.#error;
  }

  /** Bytes held for a frame that is not complete yet. */
  get bufferedBytes(): number {
    return this.#partsLength;
  }

  /**
   * Consumes one chunk. Returns the error that poisoned the parser (now or earlier), otherwise
   * undefined. Never throws for malformed input. If `onFrame` throws, the parser is poisoned with
   * that exception as `cause` and the exception is rethrown: frames after it in the chunk are lost.
   */
  push(chunk: Buffer): GoridgeError | undefined {
    if (this.#error !== undefined) return this.#error;
    try {
      let pos = 0;
      if (this.#partsLength > 0) {
        pos = this.#continue(chunk);
        if (pos < 0) return this.#error;
      }
      const len = chunk.length;
      // Fast path: whole frames inside this chunk are parsed in place.
      while (pos < len) {
        const remaining = len - pos;
        if (remaining < HEADER_SIZE) {
          this.#stash(chunk.subarray(pos));
          return undefined;
        }
        if (!this.#readHeader(chunk, pos, chunk, pos + HEADER_SIZE)) return this.#error;
        const total = this.#total;
        if (remaining < total) {
          this.#stash(chunk.subarray(pos));
          return undefined;
        }
        const f = this.#build(chunk, pos);
        this.#total = 0;
        pos += total;
        this.#onFrame(f);
      }
      return undefined;
    } catch (err) {
      if (this.#error === undefined) {
        this.#error = new GoridgeError(
          GoridgeErrorCodes.HANDLER,
          `a goridge frame handler threw: ${String(err)}; frames after it in the same read were lost, so ` +
            'the connection must be dropped. This is a bug in the frame handler',
          { cause: err },
        );
      }
      throw err;
    }
  }

  /**
   * Signals end of input. Returns RR_ERR_GORIDGE_TRUNCATED when a partial frame is buffered (the
   * peer died mid-frame), the poisoning error if any, otherwise undefined.
   */
  end(): GoridgeError | undefined {
    if (this.#error !== undefined) return this.#error;
    if (this.#partsLength === 0) return undefined;
    const have = this.#partsLength;
    const bytes = Buffer.concat(this.#parts, have);
    const expected = this.#total === 0 ? `at least ${HEADER_SIZE} header bytes` : `${this.#total} bytes`;
    this.#poison(
      new GoridgeError(
        GoridgeErrorCodes.TRUNCATED,
        `goridge stream ended in the middle of a frame: expected ${expected}, found ${have} ` +
          `(first bytes: ${hexBytes(bytes, 24)}); the peer closed the connection or exited while writing`,
        { expected, found: `${have} bytes`, bytes: bytes.subarray(0, 64) },
      ),
    );
    return this.#error;
  }

  #stash(piece: Buffer): void {
    this.#parts.push(piece);
    this.#partsLength += piece.length;
  }

  /**
   * Completes the frame begun in earlier chunks. Returns the position in `chunk` where the next
   * frame starts, or -1 after poisoning.
   */
  #continue(chunk: Buffer): number {
    let pos = 0;
    if (this.#total === 0) {
      const missing = HEADER_SIZE - this.#partsLength;
      if (chunk.length < missing) {
        this.#stash(chunk);
        return chunk.length;
      }
      this.#stash(chunk.subarray(0, missing));
      pos = missing;
      const head = Buffer.concat(this.#parts, HEADER_SIZE);
      this.#parts = [head];
      if (!this.#readHeader(head, 0, chunk, pos)) return -1;
    }
    const need = this.#total - this.#partsLength;
    if (chunk.length - pos < need) {
      if (pos < chunk.length) this.#stash(pos === 0 ? chunk : chunk.subarray(pos));
      return chunk.length;
    }
    if (need > 0) this.#stash(chunk.subarray(pos, pos + need));
    pos += need;
    const f = this.#assemble();
    this.#parts = [];
    this.#partsLength = 0;
    this.#total = 0;
    this.#onFrame(f);
    return pos;
  }

  /** Builds the frame held in #parts; the payload stays a view when it lies in the last part. */
  #assemble(): Frame {
    const parts = this.#parts;
    const total = this.#total;
    if (parts.length === 1) return this.#build(parts[0]!, 0);
    const prefix = HEADER_SIZE + this.#optionCount * 4;
    const last = parts[parts.length - 1]!;
    const lastStart = total - last.length;
    if (lastStart <= prefix) {
      // Only the (tiny) header+options prefix is copied; the payload is a view of the last chunk.
      const options = this.#optionCount === 0 ? NO_OPTIONS : this.#readOptions(Buffer.concat(parts, prefix), 0);
      return { flags: this.#flags, options, payload: last.subarray(prefix - lastStart), stream: this.#stream };
    }
    return this.#build(Buffer.concat(parts, total), 0);
  }

  #readOptions(buf: Buffer, pos: number): number[] {
    const n = this.#optionCount;
    const opts = new Array<number>(n);
    let p = pos + HEADER_SIZE;
    for (let i = 0; i < n; i++) {
      opts[i] = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
      p += 4;
    }
    return opts;
  }

  /** Builds the frame whose header was just read, from a buffer holding all of it at `pos`. */
  #build(buf: Buffer, pos: number): Frame {
    const n = this.#optionCount;
    const options = n === 0 ? NO_OPTIONS : this.#readOptions(buf, pos);
    const start = pos + HEADER_SIZE + n * 4;
    return { flags: this.#flags, options, payload: buf.subarray(start, pos + this.#total), stream: this.#stream };
  }

  /**
   * Validates the 12 header bytes at `buf[pos]`; stores the frame geometry or poisons the parser.
   * `rest[restPos..]` is what followed the header in the current chunk, kept in the error's
   * `bytes` so the owner can show what the peer printed.
   */
  #readHeader(buf: Buffer, pos: number, rest: Buffer, restPos: number): boolean {
    const b0 = buf[pos]!;
    const plen = (buf[pos + 2]! | (buf[pos + 3]! << 8) | (buf[pos + 4]! << 16) | (buf[pos + 5]! << 24)) >>> 0;
    const crc = (buf[pos + 6]! | (buf[pos + 7]! << 8) | (buf[pos + 8]! << 16) | (buf[pos + 9]! << 24)) >>> 0;
    const expectedCrc = headerCrc(buf, pos);
    if (crc !== expectedCrc) return this.#badCrc(buf, pos, rest, restPos, expectedCrc, crc);
    const version = b0 >>> 4;
    if (this.#checkVersion && version !== PROTOCOL_VERSION) {
      return this.#poisonHeader(
        GoridgeErrorCodes.VERSION,
        buf,
        pos,
        rest,
        restPos,
        `unsupported goridge protocol version: expected ${PROTOCOL_VERSION}, found ${version}`,
        String(PROTOCOL_VERSION),
        String(version),
        'the peer speaks another goridge version; RoadRunner 2+ workers (spiral/goridge 3/4) send version 1',
      );
    }
    const hl = b0 & 0x0f;
    if (hl < MIN_HL || hl > MAX_HL) {
      return this.#poisonHeader(
        GoridgeErrorCodes.HEADER,
        buf,
        pos,
        rest,
        restPos,
        `invalid goridge header length: expected ${MIN_HL}..${MAX_HL} words, found ${hl}`,
        `${MIN_HL}..${MAX_HL}`,
        String(hl),
        'the peer built a frame with a broken option count',
      );
    }
    if (plen > this.#maxPayload) {
      return this.#poisonHeader(
        GoridgeErrorCodes.TOO_LARGE,
        buf,
        pos,
        rest,
        restPos,
        `goridge frame payload too large: expected at most ${this.#maxPayload} bytes, found ${plen}`,
        `<= ${this.#maxPayload}`,
        String(plen),
        'raise the maximum payload size if such frames are legitimate, otherwise fix the sender',
      );
    }
    this.#flags = buf[pos + 1]!;
    this.#stream = buf[pos + 10]!;
    this.#optionCount = hl - MIN_HL;
    this.#total = HEADER_SIZE + this.#optionCount * 4 + plen;
    return true;
  }

  #badCrc(buf: Buffer, pos: number, rest: Buffer, restPos: number, expected: number, found: number): false {
    const head = Buffer.from(buf.subarray(pos, pos + HEADER_SIZE));
    const bytes = withRest(head, rest, restPos);
    if (head.equals(COULD_NOT_OPEN)) {
      this.#poison(
        new GoridgeError(
          GoridgeErrorCodes.SCRIPT_NOT_FOUND,
          `the worker's PHP script was not found: its output starts with "${printableBytes(head)}" ` +
            `(PHP-CLI's "Could not open input file"); check the script path in server.command`,
          { expected: 'a goridge frame', found: printableBytes(head), bytes },
        ),
      );
      return false;
    }
    this.#poison(
      new GoridgeError(
        GoridgeErrorCodes.CRC,
        `goridge frame header CRC mismatch: expected ${hex32(expected)}, found ${hex32(found)} ` +
          `in header bytes ${hexBytes(head)} ("${printableBytes(head)}"); the peer wrote bytes that are ` +
          `not a frame, typically a PHP worker printing to STDOUT (echo, var_dump, warnings). Send such ` +
          `output to STDERR; see https://docs.roadrunner.dev/docs/known-issues/stdout-crc`,
        { expected: hex32(expected), found: hex32(found), bytes },
      ),
    );
    return false;
  }

  #poisonHeader(
    code: typeof GoridgeErrorCodes.VERSION | typeof GoridgeErrorCodes.HEADER | typeof GoridgeErrorCodes.TOO_LARGE,
    buf: Buffer,
    pos: number,
    rest: Buffer,
    restPos: number,
    what: string,
    expected: string,
    found: string,
    fix: string,
  ): false {
    const head = Buffer.from(buf.subarray(pos, pos + HEADER_SIZE));
    this.#poison(
      new GoridgeError(code, `${what} (header bytes ${hexBytes(head)}); ${fix}`, {
        expected,
        found,
        bytes: withRest(head, rest, restPos),
      }),
    );
    return false;
  }

  #poison(err: GoridgeError): void {
    this.#error = err;
    this.#parts = [];
    this.#partsLength = 0;
  }
}

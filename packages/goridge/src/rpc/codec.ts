import { GoridgeError, GoridgeErrorCodes } from '../errors.js';
import { Flag, HEADER_SIZE, writeHeader } from '../frame.js';
import type { Frame } from '../frame.js';

/** The codec bits an RPC frame can carry (spec §1.3, §5.2). */
export const RpcCodec = {
  RAW: Flag.CODEC_RAW,
  JSON: Flag.CODEC_JSON,
  MSGPACK: Flag.CODEC_MSGPACK,
  GOB: Flag.CODEC_GOB,
  PROTO: Flag.CODEC_PROTO,
} as const;

export type RpcCodecFlag = (typeof RpcCodec)[keyof typeof RpcCodec];

/** A decoded RPC request or response. */
export interface RpcMessage {
  /** Sequence id (option 0), echoed by the server. */
  seq: number;
  /** `Service.Method`. */
  method: string;
  /** All flag bits of the frame (codec bits plus ERROR on error responses). */
  flags: number;
  /** The single codec chosen by RoadRunner's priority rule from {@link flags}. */
  codec: RpcCodecFlag;
  /** The encoded argument or result; for error responses the UTF-8 error text. A view, do not mutate. */
  body: Buffer;
}

/** A decoded response; `error` is set when the frame has the ERROR flag. */
export interface RpcResponse extends RpcMessage {
  error: string | undefined;
}

/**
 * RoadRunner's codec choice when several bits are set: PROTO, then JSON, RAW, MSGPACK, GOB; GOB
 * when none is set (the Go client sends 0x20|0x80 for protobuf, so the order matters).
 */
export function selectCodec(flags: number): RpcCodecFlag {
  if (flags & Flag.CODEC_PROTO) return RpcCodec.PROTO;
  if (flags & Flag.CODEC_JSON) return RpcCodec.JSON;
  if (flags & Flag.CODEC_RAW) return RpcCodec.RAW;
  if (flags & Flag.CODEC_MSGPACK) return RpcCodec.MSGPACK;
  return RpcCodec.GOB;
}

/** Name of a codec bit, for messages and logs. */
export function codecName(codec: number): string {
  switch (codec) {
    case RpcCodec.PROTO:
      return 'proto';
    case RpcCodec.JSON:
      return 'json';
    case RpcCodec.RAW:
      return 'raw';
    case RpcCodec.MSGPACK:
      return 'msgpack';
    case RpcCodec.GOB:
      return 'gob';
    default:
      return `0x${codec.toString(16)}`;
  }
}

const toBytes = (v: Uint8Array | string): Uint8Array => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

/**
 * Encodes an RPC frame in one buffer without an intermediate payload copy: options [seq,
 * len(method)], payload = method ‖ body.
 */
export function encodeRpcFrame(flags: number, seq: number, method: string, body: Uint8Array | string): Buffer {
  const m = Buffer.from(method, 'latin1');
  const b = toBytes(body);
  const buf = Buffer.allocUnsafe(HEADER_SIZE + 8 + m.length + b.length);
  const p = writeHeader(buf, 0, flags, [seq, m.length], m.length + b.length, 0);
  m.copy(buf, p);
  buf.set(b, p + m.length);
  return buf;
}

/** Encodes a request (exactly one codec bit, as PHP does). */
export function encodeRpcRequest(seq: number, method: string, body: Uint8Array | string, codec: RpcCodecFlag = RpcCodec.JSON): Buffer {
  return encodeRpcFrame(codec, seq, method, body);
}

/** Encodes a success response: codec echoed, method echoed. */
export function encodeRpcResponse(seq: number, method: string, body: Uint8Array | string, codec: RpcCodecFlag): Buffer {
  return encodeRpcFrame(codec, seq, method, body);
}

/** Encodes an error response: flags = codec | ERROR, payload = method ‖ error text. */
export function encodeRpcError(seq: number, method: string, message: string, codec: RpcCodecFlag): Buffer {
  return encodeRpcFrame(codec | Flag.ERROR, seq, method, message);
}

function frameError(why: string, f: Frame): GoridgeError {
  return new GoridgeError(
    GoridgeErrorCodes.RPC_FRAME,
    `unreadable goridge RPC frame: ${why}; the peer is not a goridge RPC client/server of a compatible version`,
    { found: `${f.options.length} options, payload ${f.payload.length} bytes, flags 0x${f.flags.toString(16)}` },
  );
}

/**
 * Decodes an RPC request or response frame. Error responses keep the error text in `body`.
 * @throws GoridgeError RR_ERR_GORIDGE_RPC_FRAME when the frame does not have exactly two options or
 *   the method length exceeds the payload (the connection must then be closed, spec §5.1).
 */
export function decodeRpcMessage(f: Frame): RpcMessage {
  if (f.options.length !== 2) throw frameError(`expected exactly 2 options [seq, method length], found ${f.options.length}`, f);
  const seq = f.options[0]!;
  const mlen = f.options[1]!;
  if (mlen > f.payload.length) {
    throw frameError(`method length ${mlen} exceeds the payload length ${f.payload.length}`, f);
  }
  return {
    seq,
    method: f.payload.toString('latin1', 0, mlen),
    flags: f.flags,
    codec: selectCodec(f.flags),
    body: f.payload.subarray(mlen),
  };
}

/** Decodes a response frame; `error` holds the error text when the ERROR flag is set. */
export function decodeRpcResponse(f: Frame): RpcResponse {
  const m = decodeRpcMessage(f) as RpcResponse;
  m.error = f.flags & Flag.ERROR ? m.body.toString('utf8') : undefined;
  return m;
}

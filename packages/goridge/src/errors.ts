/**
 * Stable codes of every error this package raises. Callers match on `err.code`; each code has an
 * entry in docs/errors.md.
 */
export const GoridgeErrorCodes = {
  /** Header CRC (bytes 6..9) does not match bytes 0..5: the peer wrote something that is not a frame. */
  CRC: 'RR_ERR_GORIDGE_CRC',
  /** Protocol version nibble is not 1. */
  VERSION: 'RR_ERR_GORIDGE_VERSION',
  /** Header length (HL) outside 3..13. */
  HEADER: 'RR_ERR_GORIDGE_HEADER',
  /** Declared payload length above the configured maximum. */
  TOO_LARGE: 'RR_ERR_GORIDGE_TOO_LARGE',
  /** The worker's STDOUT began with PHP-CLI's "Could not open input file". */
  SCRIPT_NOT_FOUND: 'RR_ERR_GORIDGE_SCRIPT_NOT_FOUND',
  /** The stream ended in the middle of a frame. */
  TRUNCATED: 'RR_ERR_GORIDGE_TRUNCATED',
  /** A frame handed to the encoder breaks a protocol limit. */
  ENCODE: 'RR_ERR_GORIDGE_ENCODE',
  /** A frame handler threw; the frames after it in the same read were lost. */
  HANDLER: 'RR_ERR_GORIDGE_HANDLER',
  /** Reading from or writing to the underlying stream failed. */
  IO: 'RR_ERR_GORIDGE_IO',
  /** The relay or RPC client is already closed. */
  CLOSED: 'RR_ERR_GORIDGE_CLOSED',
  /** A relay address is not `pipes`, `tcp://host:port` or `unix://path`. */
  DSN: 'RR_ERR_GORIDGE_DSN',
  /** The socket relay listener could not be opened. */
  LISTEN: 'RR_ERR_GORIDGE_LISTEN',
  /** The worker's answer to the pid control frame was wrong or missing. */
  HANDSHAKE: 'RR_ERR_GORIDGE_HANDSHAKE',
  /** No socket connection with the awaited pid arrived in time. */
  PID_TIMEOUT: 'RR_ERR_GORIDGE_PID_TIMEOUT',
  /** An RPC frame lacks the two options or its method length exceeds the payload. */
  RPC_FRAME: 'RR_ERR_GORIDGE_RPC_FRAME',
  /** The RPC server answered with an error frame (flag 0x40). */
  RPC_REMOTE: 'RR_ERR_GORIDGE_RPC_REMOTE',
  /** An RPC call got no answer within its timeout. */
  RPC_TIMEOUT: 'RR_ERR_GORIDGE_RPC_TIMEOUT',
} as const;

export type GoridgeErrorCode = (typeof GoridgeErrorCodes)[keyof typeof GoridgeErrorCodes];

/** Extra facts attached to a {@link GoridgeError}; all optional. */
export interface GoridgeErrorDetails {
  cause?: unknown;
  /** What the protocol required, rendered for humans (e.g. `0xcbfa6b3a`). */
  expected?: string;
  /** What was actually received. */
  found?: string;
  /** The raw bytes that triggered the error (a header, or collected garbage). */
  bytes?: Buffer;
}

/**
 * Every error of this package. Deliberately independent of the kernel's RrError so the package has
 * no dependencies; it has the same shape (`code`, `message`, `cause`).
 */
export class GoridgeError extends Error {
  readonly code: GoridgeErrorCode;
  readonly expected: string | undefined;
  readonly found: string | undefined;
  readonly bytes: Buffer | undefined;

  constructor(code: GoridgeErrorCode, message: string, details: GoridgeErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GoridgeError';
    this.code = code;
    this.expected = details.expected;
    this.found = details.found;
    this.bytes = details.bytes;
  }
}

/** Renders bytes as text for error messages: printable ASCII as is, anything else as \xNN. */
export function printableBytes(bytes: Uint8Array, max = 256): string {
  let out = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else if (b === 0x0a) out += '\\n';
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  if (bytes.length > max) out += `… (${bytes.length - max} more bytes)`;
  return out;
}

/** Lowercase space-separated hex, the notation of the protocol spec. */
export function hexBytes(bytes: Uint8Array, max = 64): string {
  const parts: string[] = [];
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) parts.push(bytes[i]!.toString(16).padStart(2, '0'));
  return parts.join(' ') + (bytes.length > max ? ' …' : '');
}

/** `0x` + 8 lowercase hex digits. */
export function hex32(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

import type { Frame, FrameInput } from '../frame.js';
import type { FrameParserOptions } from '../parser.js';

/** Receives every frame a relay reads, in order. Must not throw. */
export type FrameHandler = (frame: Frame) => void;

/**
 * Called once when the relay is closed: `error` is undefined for a clean end (peer closed between
 * frames, or {@link Relay.close} was called), otherwise a GoridgeError saying why (malformed frame,
 * EOF mid-frame, I/O error).
 */
export type CloseListener = (error: Error | undefined) => void;

/**
 * A bidirectional goridge frame channel to one peer (a worker process or an RPC client).
 *
 * Delivery is a single callback, not an event emitter, to keep the per-frame path cheap. While no
 * handler is set, received frames are queued and handed to the next handler in order; this lets a
 * relay change owners (handshake → pool) without losing frames.
 *
 * Any protocol error closes the relay: the byte stream cannot be resynchronised.
 */
export interface Relay {
  /**
   * What the worker said about itself in its pid reply; set by {@link pidHandshake}, undefined
   * before the handshake (and on relays that never had one).
   */
  hello: WorkerHello | undefined;
  /** True once closed, by either side or by an error. */
  readonly closed: boolean;
  /** Why the relay closed, when it closed because of an error. */
  readonly closeError: Error | undefined;
  /** Sets (or with null, clears) the frame handler; queued frames are delivered synchronously. */
  setFrameHandler(handler: FrameHandler | null): void;
  /**
   * Adds a close listener; one added after close is called on the next microtask. Returns a
   * function that removes it.
   */
  onClose(listener: CloseListener): () => void;
  /**
   * Writes one frame (a single write, or a corked header+payload pair for large payloads). Returns
   * false when the write buffer is above its high-water mark: await {@link drained} before more.
   * Do not mutate the payload afterwards; it may be written later.
   * @throws GoridgeError RR_ERR_GORIDGE_CLOSED after close; RR_ERR_GORIDGE_ENCODE for a bad frame.
   */
  send(frame: FrameInput): boolean;
  /**
   * Writes bytes that already form whole frames (e.g. STOP_FRAME_BYTES). Several parts (header,
   * context, body) are corked into one writev, so the frame still leaves in a single write. Same
   * contract as {@link send}.
   */
  sendEncoded(bytes: Uint8Array, ...more: Uint8Array[]): boolean;
  /**
   * Writes `bytes[0..length)`, whole frames, from a buffer the caller reuses as soon as this
   * returns: written at once when the relay can (a pipe with nothing queued), otherwise copied
   * before being queued. Same contract as {@link send} otherwise.
   */
  sendTransient(bytes: Uint8Array, length: number): boolean;
  /** Resolves when the write buffer has drained (immediately if it is not full), or on close. */
  drained(): Promise<void>;
  /** Flushes pending writes, then releases the streams. Idempotent. Close listeners get undefined. */
  close(): void;
  /** Releases the streams at once, dropping pending writes. Listeners get `error`. Idempotent. */
  destroy(error?: Error): void;
}

/** A worker's pid reply (F2), with the optional capabilities rr's own PHP library announces. */
export interface WorkerHello {
  readonly pid: number;
  /**
   * `"prefetch": true`: the worker may be sent its next request while it still works on the current
   * one (`pool.prefetch`). It reads requests strictly one after the other, keeps a request that
   * arrives during a stream for later, and on leaving between requests sends a restart request, so
   * a request it never read is run elsewhere. RoadRunner's libraries do not announce it.
   */
  readonly prefetch: boolean;
}

/** Options shared by every relay. */
export interface RelayOptions extends FrameParserOptions {
  /**
   * After a malformed frame, how long to keep reading the peer's bytes (up to 64 KiB, or until the
   * stream ends) so the error shows what the worker printed, as RoadRunner does. 0 reports at once.
   * @default 250 (milliseconds)
   */
  garbageWaitMs?: number;
}

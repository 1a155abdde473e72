import { Buffer } from 'node:buffer';
import { writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { GoridgeError, GoridgeErrorCodes, printableBytes } from '../errors.js';
import { HEADER_SIZE, encodeFrame, encodeHeader } from '../frame.js';
import { FrameParser } from '../parser.js';
import type { Frame, FrameInput } from '../frame.js';
import type { CloseListener, FrameHandler, Relay, RelayOptions, WorkerHello } from './relay.js';

/** Payloads at least this big are written as a corked header+payload pair instead of being copied. */
const COPY_LIMIT = 16 * 1024;
/** Most garbage kept for an error message after a malformed frame. */
const GARBAGE_LIMIT = 64 * 1024;
/** A graceful close that cannot flush within this time is turned into a destroy. */
const CLOSE_FLUSH_MS = 5_000;

interface Garbage {
  error: GoridgeError;
  chunks: Buffer[];
  length: number;
  timer: NodeJS.Timeout | undefined;
}

/** How a {@link StreamRelay} reaches its streams' data, beyond the stream API. */
export interface StreamRelayIo {
  /**
   * The readable's data arrives through {@link StreamRelay.receive} (e.g. from a socket's `onread`
   * callback) rather than as 'data' events; 'end', 'close' and 'error' are still listened to.
   */
  readonly pushed?: boolean;
  /**
   * The writable's file descriptor. When nothing is queued in the stream, a single-buffer frame is
   * written with one write(2) on it, skipping the stream's per-write bookkeeping (write request
   * object, after-write tick); whatever the kernel does not take goes through the stream as usual.
   */
  readonly writeFd?: number;
}

/** How long a relay whose write side failed keeps reading what the peer wrote before it left. */
const WRITE_FAIL_READ_MS = 1_000;

function ioError(cause: Error): GoridgeError {
  const code = (cause as NodeJS.ErrnoException).code;
  return new GoridgeError(
    GoridgeErrorCodes.IO,
    `goridge relay I/O failed: ${cause.message}${code ? ` (${code})` : ''}; the peer probably exited or ` +
      'dropped the connection',
    { cause },
  );
}

/**
 * A relay over a readable/writable stream pair: the shared engine of PipeRelay (child STDOUT in,
 * STDIN out) and SocketRelay (one socket both ways).
 */
export class StreamRelay implements Relay {
  hello: WorkerHello | undefined = undefined;
  readonly #readable: Readable;
  readonly #writable: Writable;
  readonly #writeFd: number;
  /** True when one duplex stream (a socket) is both ends. */
  readonly #duplex: boolean;
  readonly #parser: FrameParser;
  readonly #garbageWaitMs: number;
  #handler: FrameHandler | null = null;
  #queue: Frame[] = [];
  #closed = false;
  #closeError: Error | undefined;
  #listeners: CloseListener[] = [];
  #drainWaiters: Array<() => void> = [];
  #garbage: Garbage | null = null;
  /** The write side failed (EPIPE: the peer exited); the read side is being read to its end first. */
  #writeFailed: GoridgeError | undefined;
  #writeFailTimer: NodeJS.Timeout | undefined;

  constructor(readable: Readable, writable: Writable, options: RelayOptions = {}, io: StreamRelayIo = {}) {
    this.#readable = readable;
    this.#writable = writable;
    this.#writeFd = io.writeFd ?? -1;
    this.#duplex = (readable as unknown) === (writable as unknown);
    this.#garbageWaitMs = options.garbageWaitMs ?? 250;
    this.#parser = new FrameParser(this.#deliver, options);
    if (io.pushed !== true) readable.on('data', this.#onData);
    readable.on('end', this.#onEnd);
    readable.on('close', this.#onReadableClose);
    readable.on('error', this.#onStreamError);
    if (!this.#duplex) writable.on('error', this.#onWriteError);
  }

  get closed(): boolean {
    return this.#closed || this.#garbage !== null || this.#writeFailed !== undefined;
  }

  get closeError(): Error | undefined {
    return this.#closeError;
  }

  setFrameHandler(handler: FrameHandler | null): void {
    this.#handler = handler;
    if (handler === null) return;
    const q = this.#queue;
    while (q.length > 0 && this.#handler === handler && !this.#closed) handler(q.shift()!);
  }

  onClose(listener: CloseListener): () => void {
    if (this.#closed) {
      const err = this.#closeError;
      let active = true;
      queueMicrotask(() => active && listener(err));
      return () => {
        active = false;
      };
    }
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /**
   * Hands the relay bytes read from its readable, for relays built with `pushed` I/O. The chunk is
   * kept (frames are views into it): pass a buffer nobody mutates afterwards.
   */
  protected receive(chunk: Buffer): void {
    this.#onData(chunk);
  }

  send(f: FrameInput): boolean {
    if (this.closed) throw this.#closedError();
    const payload = f.payload;
    if (payload === undefined || payload.length < COPY_LIMIT) return this.#write(encodeFrame(f));
    const w = this.#writable;
    const header = encodeHeader(f);
    // Corked pair → one writev syscall: the frame still goes out in a single write (spec §1.7).
    w.cork();
    w.write(header);
    const ok = w.write(payload);
    w.uncork();
    return ok;
  }

  sendEncoded(bytes: Uint8Array, ...more: Uint8Array[]): boolean {
    if (this.closed) throw this.#closedError();
    if (more.length === 0) return this.#write(bytes);
    const w = this.#writable;
    w.cork();
    let ok = w.write(bytes);
    for (const part of more) if (part.length > 0) ok = w.write(part);
    w.uncork();
    return ok;
  }

  sendTransient(bytes: Uint8Array, length: number): boolean {
    if (this.closed) throw this.#closedError();
    const w = this.#writable;
    let n = 0;
    if (this.#writeFd >= 0 && w.writableLength === 0 && !w.destroyed) {
      try {
        n = writeSync(this.#writeFd, bytes, 0, length);
      } catch {
        n = 0; // as in #write
      }
      if (n === length) return true;
    }
    // It will be queued, and the caller reuses `bytes` as soon as we return: queue a copy.
    const rest = Buffer.allocUnsafe(length - n);
    rest.set(bytes.subarray(n, length));
    return w.write(rest);
  }

  /** One buffer out: straight to the fd when the stream has nothing queued, else through it. */
  #write(bytes: Uint8Array): boolean {
    const w = this.#writable;
    if (this.#writeFd < 0 || w.writableLength !== 0 || w.destroyed) return w.write(bytes);
    let n: number;
    try {
      n = writeSync(this.#writeFd, bytes);
    } catch {
      // EAGAIN (the pipe is full), EPIPE (the reader is gone), …: the stream writes it, or reports
      // the error the usual way ('error' → the relay closes with RR_ERR_GORIDGE_IO).
      n = 0;
    }
    if (n === bytes.length) return true;
    return w.write(n === 0 ? bytes : bytes.subarray(n));
  }

  drained(): Promise<void> {
    if (this.#closed || !this.#writable.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#writable.off('drain', done);
        const i = this.#drainWaiters.indexOf(done);
        if (i >= 0) this.#drainWaiters.splice(i, 1);
        resolve();
      };
      this.#drainWaiters.push(done);
      this.#writable.on('drain', done);
    });
  }

  close(): void {
    if (this.#closed) return;
    if (this.#garbage !== null) {
      this.#reportGarbage();
      return;
    }
    this.#finish(undefined);
    const r = this.#readable;
    const w = this.#writable;
    const timer = setTimeout(() => {
      r.destroy();
      w.destroy();
    }, CLOSE_FLUSH_MS);
    timer.unref();
    w.end(() => {
      clearTimeout(timer);
      r.destroy();
      if (!this.#duplex) w.destroy();
    });
  }

  destroy(error?: Error): void {
    if (this.#closed) return;
    this.#finish(error);
    this.#readable.destroy();
    if (!this.#duplex) this.#writable.destroy();
  }

  #closedError(): GoridgeError {
    const why = this.#garbage?.error ?? this.#closeError;
    return new GoridgeError(
      GoridgeErrorCodes.CLOSED,
      `cannot send a goridge frame: the relay is closed${why ? ` (${why.message})` : ''}; ` +
        'the worker or client is gone and must be replaced or reconnected',
      why ? { cause: why } : {},
    );
  }

  #finish(error: Error | undefined): void {
    this.#closed = true;
    if (this.#writeFailTimer !== undefined) clearTimeout(this.#writeFailTimer);
    this.#closeError = error;
    this.#queue = [];
    if (this.#garbage?.timer) clearTimeout(this.#garbage.timer);
    this.#garbage = null;
    for (const done of this.#drainWaiters.splice(0)) done();
    for (const listener of this.#listeners.splice(0)) listener(error);
  }

  readonly #deliver = (f: Frame): void => {
    if (this.#closed) return;
    const h = this.#handler;
    if (h !== null) h(f);
    else this.#queue.push(f);
  };

  readonly #onData = (chunk: Buffer): void => {
    if (this.#closed) return;
    const g = this.#garbage;
    if (g !== null) {
      g.chunks.push(chunk);
      g.length += chunk.length;
      if (g.length >= GARBAGE_LIMIT) this.#reportGarbage();
      return;
    }
    let err: GoridgeError | undefined;
    try {
      err = this.#parser.push(chunk);
    } catch (thrown) {
      // A frame handler threw; the parser is poisoned. Surface it as the close reason rather than
      // let it escape from a stream event as an uncaught exception.
      this.destroy(this.#parser.error ?? (thrown as Error));
      return;
    }
    if (err === undefined) return;
    if (this.#garbageWaitMs <= 0) {
      this.destroy(err);
      return;
    }
    // Keep reading for a moment so the error shows what the peer printed (RoadRunner does the same).
    const garbage: Garbage = { error: err, chunks: [], length: 0, timer: undefined };
    this.#garbage = garbage;
    garbage.timer = setTimeout(() => this.#reportGarbage(), this.#garbageWaitMs);
  };

  #reportGarbage(): void {
    const g = this.#garbage;
    if (g === null) return;
    clearTimeout(g.timer);
    const e = g.error;
    const output = Buffer.concat([e.bytes ?? Buffer.alloc(0), ...g.chunks]).subarray(0, GARBAGE_LIMIT);
    if (output.length <= HEADER_SIZE) {
      this.destroy(e); // the message already shows the 12 bytes
      return;
    }
    const detail = new GoridgeError(e.code, `${e.message}; the peer's output was: "${printableBytes(output, 1024)}"`, {
      cause: e.cause,
      expected: e.expected,
      found: e.found,
      bytes: output,
    });
    this.destroy(detail);
  }

  readonly #onEnd = (): void => {
    if (this.#closed) return;
    if (this.#garbage !== null) {
      this.#reportGarbage();
      return;
    }
    this.destroy(this.#parser.end() ?? this.#writeFailed);
  };

  readonly #onReadableClose = (): void => {
    if (this.#closed) return;
    if (this.#garbage !== null) {
      this.#reportGarbage();
      return;
    }
    this.destroy(this.#parser.end() ?? this.#writeFailed);
  };

  readonly #onStreamError = (cause: Error): void => {
    if (this.#closed) return;
    this.destroy(ioError(cause));
  };

  /**
   * A separate write stream failed (EPIPE: the peer exited or closed its end). Whatever the peer
   * wrote before it left (its last answer, a restart request) is still unread in the read stream:
   * the relay takes no more writes but reads to the end before it closes, within WRITE_FAIL_READ_MS.
   */
  readonly #onWriteError = (cause: Error): void => {
    if (this.#closed || this.#writeFailed !== undefined) return;
    const err = ioError(cause);
    const r = this.#readable;
    if (r.readableEnded || r.destroyed) {
      this.destroy(err);
      return;
    }
    this.#writeFailed = err;
    this.#writeFailTimer = setTimeout(() => this.destroy(err), WRITE_FAIL_READ_MS);
  };
}

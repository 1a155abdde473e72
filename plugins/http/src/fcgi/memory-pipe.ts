import { Duplex } from 'node:stream';

type Callback = (err?: Error | null) => void;

/**
 * The end node:http's server reads a request from and writes its response to. Looks enough like a
 * net.Socket (remoteAddress/remotePort, `encrypted`, no-op socket options) for the http plugin to
 * treat an exchange that came over FastCGI like one from its plain listener.
 */
export class ServerEnd extends Duplex {
  remoteAddress: string;
  remotePort: number;
  encrypted?: boolean;
  /** Called when the server wants more request bytes (to resume a paused FastCGI socket). */
  onDemand: (() => void) | undefined;
  readonly peer: ClientEnd;

  constructor(remoteAddress: string, remotePort: number) {
    super({ allowHalfOpen: true });
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.peer = new ClientEnd(this);
  }

  override _read(): void {
    this.onDemand?.();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: Callback): void {
    this.peer.deliver(chunk, cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: Callback): void {
    this.peer.deliver(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  override _final(cb: Callback): void {
    this.peer.push(null);
    cb();
  }

  override _destroy(err: Error | null, cb: Callback): void {
    // EOF rather than destroy: what the server already wrote (a 400/431 before it hangs up) must
    // still reach the response parser.
    this.peer.eof();
    cb(err);
  }

  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}

/**
 * The end node:http's client parser reads the response from. What the client writes (its own
 * request line) is dropped: the request was already written, byte-exact, into the server end.
 */
export class ClientEnd extends Duplex {
  readonly #server: ServerEnd;
  #pending: Callback | undefined;
  #ended = false;

  constructor(server: ServerEnd) {
    super({ allowHalfOpen: true });
    this.#server = server;
  }

  /** Response bytes from the server; `cb` is held while the reader lags (backpressure). */
  deliver(chunk: Buffer, cb: Callback): void {
    if (this.#ended || this.destroyed) {
      cb();
      return;
    }
    if (this.push(chunk)) cb();
    else this.#pending = cb;
  }

  eof(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.push(null);
    this.#release();
  }

  #release(): void {
    const cb = this.#pending;
    this.#pending = undefined;
    cb?.();
  }

  override _read(): void {
    this.#release();
  }

  override _write(_chunk: Buffer, _enc: BufferEncoding, cb: Callback): void {
    cb();
  }

  override _final(cb: Callback): void {
    cb();
  }

  override _destroy(err: Error | null, cb: Callback): void {
    this.#ended = true;
    this.#release();
    if (!this.#server.destroyed) this.#server.destroy();
    cb(err);
  }

  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}

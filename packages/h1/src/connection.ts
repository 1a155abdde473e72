import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { parseHead, type RequestHead } from './head-parser.js';
import { LeanRequest } from './lean-request.js';
import { LeanResponse, type ResponseSink } from './lean-response.js';

const EMPTY = Buffer.alloc(0);
/** Pipelined bytes buffered while a request is in progress before the socket is paused. */
const PIPELINE_BUFFER = 64 * 1024;

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly maxHeaderSize: number;
  readonly maxBodySize: number;
  readonly readTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly draining: boolean;
  /** A coarse clock (ms), advanced by the server's sweeper: reading it costs nothing per request. */
  readonly clock: number;
  handle(req: LeanRequest, res: LeanResponse): void;
  /** Gives the socket (with `pending` put back in front) to node:http or the HTTP/2 server. */
  handoff(socket: Socket, pending: Buffer | undefined): void;
  forget(conn: H1Connection): void;
}

/**
 * One client connection of the lean lane: parses requests one at a time (pipelined ones wait in
 * the buffer), reads each body completely, runs the handler, and keeps the connection alive or
 * closes it as the response decides. Requests it does not serve go to node:http with the
 * connection, before anything of theirs was answered.
 */
export class H1Connection implements ResponseSink {
  readonly socket: Socket;
  readonly #host: ConnectionHost;
  #buf: Buffer | undefined;
  /** A head whose body is still arriving. */
  #head: RequestHead | undefined;
  #bodyChunks: Buffer[] = [];
  #bodyHave = 0;
  #current: LeanResponse | undefined;
  #keepAlive = true;
  #closed = false;
  /**
   * `host.clock` when the current request began to arrive, or when the last response finished.
   * The read timeout counts from the request's first byte, not from the last one (Go's
   * ReadTimeout, node's requestTimeout): a client trickling a byte at a time cannot hold it.
   */
  #activeAt: number;
  /** A response was completed: until then the read timeout applies (Go), not the idle one. */
  #served = false;
  #paused = false;

  constructor(socket: Socket, host: ConnectionHost) {
    this.socket = socket;
    this.#host = host;
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    // Timeouts are checked by the server's sweeper, not socket.setTimeout: node re-arms a socket's
    // timer on every read and write, a cost paid per request for an event that almost never fires.
    this.#activeAt = host.clock;
  }

  /** No request is being received or answered. */
  get idle(): boolean {
    return this.#current === undefined && this.#head === undefined && this.#buf === undefined;
  }

  keepAliveAllowed(): boolean {
    return this.#keepAlive && !this.#host.draining;
  }

  /** Closes the connection now if it is idle (drain); busy ones close after their response. */
  closeIfIdle(): void {
    if (this.idle && !this.#closed) {
      this.#closed = true;
      this.#activeAt = this.#host.clock; // the client gets a read timeout's time to close its side
      this.socket.end();
    }
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#closed) return;
    if (this.#buf === undefined && this.#head === undefined) this.#activeAt = this.#host.clock;
    this.#buf = this.#buf === undefined ? chunk : Buffer.concat([this.#buf, chunk]);
    if (this.#current === undefined) this.#process();
    else if (this.#buf.length > PIPELINE_BUFFER && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
  };

  #process(): void {
    while (this.#current === undefined && !this.#closed) {
      let head = this.#head;
      if (head === undefined) {
        const buf = this.#buf;
        if (buf === undefined) return;
        const r = parseHead(buf, this.#host.maxHeaderSize);
        if (r.kind === 'incomplete') return;
        if (r.kind === 'handoff') {
          this.#handoff();
          return;
        }
        if (r.kind === 'error') {
          this.#reject(r.status);
          return;
        }
        head = r.head;
        this.#buf = buf.length > head.size ? buf.subarray(head.size) : undefined;
        if (head.contentLength === 0) {
          this.#dispatch(head, EMPTY, false);
          continue;
        }
        if (head.contentLength > this.#host.maxBodySize) {
          // Not read: the handler answers (413) and the connection closes after the response.
          this.#buf = undefined;
          this.#dispatch(head, EMPTY, true);
          continue;
        }
        this.#head = head;
      }
      const buf = this.#buf;
      if (buf === undefined) return;
      const need = head.contentLength - this.#bodyHave;
      if (buf.length <= need) {
        this.#bodyChunks.push(buf);
        this.#bodyHave += buf.length;
        this.#buf = undefined;
        if (this.#bodyHave < head.contentLength) return;
      } else {
        this.#bodyChunks.push(buf.subarray(0, need));
        this.#bodyHave += need;
        this.#buf = buf.subarray(need);
      }
      const chunks = this.#bodyChunks;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, head.contentLength);
      this.#head = undefined;
      this.#bodyChunks = [];
      this.#bodyHave = 0;
      this.#dispatch(head, body, false);
    }
  }

  #dispatch(head: RequestHead, body: Buffer, tooLarge: boolean): void {
    const req = new LeanRequest(head, body, tooLarge, this.socket);
    this.#keepAlive = head.keepAlive && !tooLarge;
    const res = new LeanResponse(req, this);
    this.#current = res;
    if (tooLarge) this.#closed = true; // the unread body makes the rest of the stream meaningless
    try {
      this.#host.handle(req, res);
    } catch (err) {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Length': 0 });
        res.end();
      } else {
        res.destroy(err as Error);
      }
    }
  }

  finished(res: LeanResponse, close: boolean): void {
    if (this.#current !== res) return;
    this.#current = undefined;
    this.#activeAt = this.#host.clock;
    // Draining: a response whose head went out before the drain began could not say
    // Connection: close, but the connection still ends here, and pipelined requests are not served.
    if (close || this.#closed || this.#host.draining) {
      this.#closed = true;
      this.socket.end();
      return;
    }
    this.#served = true;
    if (this.#paused) {
      this.#paused = false;
      this.socket.resume();
    }
    if (this.#buf !== undefined) {
      // Not synchronously: a handler that answers at once would otherwise recurse per pipelined request.
      process.nextTick(() => {
        if (this.#current === undefined) this.#process();
      });
    }
  }

  /** A malformed request: Go's plain-text answer, then close. */
  #reject(status: 400 | 431 | 505): void {
    this.#closed = true;
    this.#activeAt = this.#host.clock;
    const text = `${status} ${STATUS_CODES[status]}`;
    this.socket.end(`HTTP/1.1 ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${text}`, 'latin1');
  }

  #handoff(): void {
    const socket = this.socket;
    socket.off('data', this.#onData);
    socket.off('error', this.#onError);
    socket.off('close', this.#onClose);
    this.#closed = true;
    const pending = this.#buf;
    this.#buf = undefined;
    this.#host.forget(this);
    this.#host.handoff(socket, pending);
  }

  readonly #onError = (): void => {
    // ECONNRESET and friends: 'close' follows and cleans up.
  };

  readonly #onClose = (): void => {
    this.#closed = true;
    this.#current?.abandon();
    this.#current = undefined;
    this.#host.forget(this);
  };

  /**
   * Called by the sweeper: closes a connection whose request stopped arriving (read timeout) or that
   * sat idle between requests for too long. A running handler is never interrupted here; its own
   * limits (exec_ttl) apply.
   */
  sweep(now: number): void {
    if (this.#current !== undefined) return;
    const quiet = now - this.#activeAt;
    // A closed (ended) connection waits for the client's FIN; one that never sends it is dropped
    // after the read timeout instead of staying half-closed for good.
    const reading = this.#head !== undefined || this.#buf !== undefined || !this.#served || this.#closed;
    const limit = reading ? this.#host.readTimeoutMs : this.#host.idleTimeoutMs;
    if (limit > 0 && quiet >= limit) this.socket.destroy(); // 0 disables the timeout
  }
}

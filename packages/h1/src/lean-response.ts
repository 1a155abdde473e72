import { EventEmitter } from 'node:events';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { scratchBuffer, writeTransient } from './direct-write.js';
import { httpDate } from './http-date.js';
import type { LeanRequest } from './lean-request.js';

/** What a response needs from its connection. */
export interface ResponseSink {
  readonly socket: Socket;
  /** False when the client asked to close, the server drains, or the body was left unread. */
  keepAliveAllowed(): boolean;
  /** The response is complete on the wire (or abandoned); `close` ends the connection. */
  finished(res: LeanResponse, close: boolean): void;
}

type HeaderValue = string | number | readonly string[];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values may hold tabs, spaces, visible ASCII and obs-text; CR, LF and NUL would split the message.
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const CRLF = '\r\n';
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
/** Bodies up to this size share one buffer (and one write) with the head. */
const COPY_LIMIT = 64 * 1024;

function codeError(code: string, message: string, ctor: ErrorConstructor = Error): Error {
  return Object.assign(new ctor(message), { code });
}

function checkHeader(name: string, value: HeaderValue): void {
  if (!TOKEN.test(name)) throw codeError('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`, TypeError);
  if (value === undefined) throw codeError('ERR_HTTP_INVALID_HEADER_VALUE', `Invalid value "undefined" for header "${name}"`, TypeError);
  if (Array.isArray(value)) {
    for (const v of value) if (BAD_VALUE.test(String(v))) throw codeError('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`, TypeError);
  } else if (typeof value === 'string' && BAD_VALUE.test(value)) {
    throw codeError('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`, TypeError);
  }
}

/** The status line is written from these: CR/LF in the reason would inject headers (node checks both too). */
function checkStatus(status: number, reason: string): void {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw codeError('ERR_HTTP_INVALID_STATUS_CODE', `Invalid status code: ${status}`, RangeError);
  if (reason !== '' && BAD_VALUE.test(reason)) throw codeError('ERR_INVALID_CHAR', 'Invalid character in statusMessage', TypeError);
}

function toBuffer(chunk: string | Uint8Array, encoding?: BufferEncoding): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding ?? 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

type Callback = (err?: Error | null) => void;

/**
 * A response of the lean lane, with the ServerResponse members request handlers use (status and
 * headers, writeHead, write with back-pressure, end, trailers, destroy, `close`/`finish`/`drain`
 * events; `Readable.pipe()` works into it). Framing follows Go's server: Content-Length when the
 * whole body is known at the first write, else chunked (HTTP/1.1) or close-delimited (HTTP/1.0);
 * a response that fits is written with the head in one syscall.
 */
export class LeanResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  sendDate = true;
  /** True once writeHead/write/end fixed the head (node's semantics: setHeader then throws). */
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  readonly req: LeanRequest;
  readonly socket: Socket;
  readonly #sink: ResponseSink;
  /** Lower-case name → [name as given, value]. */
  #headers: Map<string, [string, HeaderValue]> | undefined;
  #wroteHead = false;
  #chunked = false;
  #close = false;
  /** A write returned false and 'drain' is not emitted yet (one listener, one event, as node). */
  #needDrain = false;
  #noBody = false;
  #trailers: Record<string, HeaderValue> | undefined;

  constructor(req: LeanRequest, sink: ResponseSink) {
    super();
    this.req = req;
    this.#sink = sink;
    this.socket = sink.socket;
  }

  get connection(): Socket {
    return this.socket;
  }

  get writableNeedDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  // ---- headers --------------------------------------------------------------------------------

  setHeader(name: string, value: HeaderValue): this {
    if (this.headersSent) throw codeError('ERR_HTTP_HEADERS_SENT', 'Cannot set headers after they are sent to the client');
    checkHeader(name, value);
    (this.#headers ??= new Map()).set(name.toLowerCase(), [name, value]);
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.#headers?.get(name.toLowerCase())?.[1];
  }

  hasHeader(name: string): boolean {
    return this.#headers?.has(name.toLowerCase()) ?? false;
  }

  removeHeader(name: string): void {
    if (this.headersSent) throw codeError('ERR_HTTP_HEADERS_SENT', 'Cannot remove headers after they are sent to the client');
    this.#headers?.delete(name.toLowerCase());
  }

  getHeaderNames(): string[] {
    return this.#headers === undefined ? [] : [...this.#headers.keys()];
  }

  getHeaders(): Record<string, HeaderValue> {
    const out: Record<string, HeaderValue> = Object.create(null) as Record<string, HeaderValue>;
    if (this.#headers !== undefined) for (const [k, [, v]] of this.#headers) out[k] = v;
    return out;
  }

  writeHead(status: number, reasonOrHeaders?: string | Record<string, HeaderValue> | readonly string[], headers?: Record<string, HeaderValue> | readonly string[]): this {
    if (this.headersSent) throw codeError('ERR_HTTP_HEADERS_SENT', 'Cannot write headers after they are sent to the client');
    checkStatus(status, typeof reasonOrHeaders === 'string' ? reasonOrHeaders : '');
    let extra = headers;
    if (typeof reasonOrHeaders === 'string') this.statusMessage = reasonOrHeaders;
    else extra = reasonOrHeaders;
    this.statusCode = status;
    if (Array.isArray(extra)) {
      const list = extra as readonly string[];
      for (let i = 0; i + 1 < list.length; i += 2) this.#append(list[i]!, list[i + 1]!);
    } else if (extra !== undefined) {
      const h = extra as Record<string, HeaderValue>;
      for (const name in h) {
        const v = h[name];
        if (v !== undefined) this.setHeader(name, v);
      }
    }
    this.headersSent = true;
    return this;
  }

  #append(name: string, value: string): void {
    checkHeader(name, value);
    const map = (this.#headers ??= new Map());
    const key = name.toLowerCase();
    const prev = map.get(key);
    if (prev === undefined) map.set(key, [name, value]);
    else map.set(key, [prev[0], [...(Array.isArray(prev[1]) ? prev[1] as string[] : [String(prev[1])]), value]]);
  }

  /** Headers sent after the body of a chunked response (announced in `Trailer`). */
  addTrailers(trailers: Record<string, HeaderValue>): void {
    for (const name in trailers) checkHeader(name, trailers[name]!);
    this.#trailers = { ...this.#trailers, ...trailers };
  }

  flushHeaders(): void {
    if (!this.#wroteHead && !this.destroyed) this.#send(this.#head(-1), undefined);
  }

  /** An informational (1xx) response written ahead of the final one (node's private `_writeRaw`). */
  _writeRaw(data: string, encoding: BufferEncoding): boolean {
    if (this.destroyed) return false;
    return this.socket.write(data, encoding);
  }

  // ---- body -----------------------------------------------------------------------------------

  write(chunk: string | Uint8Array, encodingOrCb?: BufferEncoding | Callback, cb?: Callback): boolean {
    const callback = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
    if (this.writableEnded || this.destroyed) {
      callback?.(codeError('ERR_STREAM_WRITE_AFTER_END', 'write after end'));
      return false;
    }
    const data = toBuffer(chunk, typeof encodingOrCb === 'string' ? encodingOrCb : undefined);
    const head = this.#wroteHead ? undefined : this.#head(-1);
    let ok: boolean;
    if (data.length === 0 || this.#noBody) ok = head === undefined ? true : this.#send(head, undefined);
    else ok = this.#sendBody(head, data);
    if (callback !== undefined) process.nextTick(callback);
    if (!ok && !this.#needDrain) {
      this.#needDrain = true;
      this.socket.once('drain', this.#onDrain);
    }
    return ok;
  }

  readonly #onDrain = (): void => {
    this.#needDrain = false;
    if (!this.destroyed) this.emit('drain');
  };

  end(chunkOrCb?: string | Uint8Array | Callback, encodingOrCb?: BufferEncoding | Callback, cb?: Callback): this {
    let chunk: string | Uint8Array | undefined;
    let callback: Callback | undefined;
    let encoding: BufferEncoding | undefined;
    if (typeof chunkOrCb === 'function') callback = chunkOrCb;
    else {
      chunk = chunkOrCb;
      if (typeof encodingOrCb === 'function') callback = encodingOrCb;
      else {
        encoding = encodingOrCb;
        callback = cb;
      }
    }
    if (this.writableEnded || this.destroyed) {
      if (callback !== undefined) process.nextTick(callback);
      return this;
    }
    const data = chunk === undefined ? undefined : toBuffer(chunk, encoding);
    if (!this.#wroteHead) {
      // The whole body is known: one write with Content-Length (unless the handler framed it itself).
      const head = this.#head(this.#trailers === undefined ? (data?.length ?? 0) : -1);
      if (data !== undefined && data.length > 0 && !this.#noBody) this.#sendBody(head, data);
      else this.#send(head, undefined);
    } else if (data !== undefined && data.length > 0 && !this.#noBody) {
      this.#sendBody(undefined, data);
    }
    if (this.#chunked) this.#sendLastChunk();
    this.writableEnded = true;
    this.writableFinished = true;
    this.#sink.finished(this, this.#close);
    if (callback !== undefined) process.nextTick(callback);
    if (this.listenerCount('finish') > 0 || this.listenerCount('close') > 0) process.nextTick(emitFinish, this);
    return this;
  }

  #sendLastChunk(): void {
    if (this.#trailers === undefined) {
      this.socket.write(LAST_CHUNK);
      return;
    }
    let s = `0${CRLF}`;
    for (const name in this.#trailers) s += headerLines(name, this.#trailers[name]!);
    this.socket.write(`${s}${CRLF}`, 'latin1');
  }

  /** Drops the connection (node: `res.destroy()` destroys the socket). */
  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.socket.destroy(err);
    return this;
  }

  /** The connection closed before this response was complete. */
  abandon(): void {
    if (this.writableFinished) return;
    this.destroyed = true;
    process.nextTick(() => this.emit('close'));
  }

  // ---- framing --------------------------------------------------------------------------------

  /**
   * Builds the head. `length` is the whole body's size when known (end() before any write), else -1.
   * Decides the framing: Content-Length, chunked, or close-delimited.
   */
  #head(length: number): string {
    const status = this.statusCode;
    // statusCode and statusMessage may have been assigned directly, unchecked.
    checkStatus(status, this.statusMessage);
    this.#wroteHead = true;
    this.headersSent = true;
    const req = this.req;
    const reason = this.statusMessage !== '' ? this.statusMessage : (STATUS_CODES[status] ?? 'unknown');
    let s = `HTTP/1.${req.httpVersionMinor} ${status} ${reason}${CRLF}`;
    let hasDate = false;
    let hasLength = false;
    let hasTe = false;
    let connection = '';
    const headers = this.#headers;
    if (headers !== undefined) {
      for (const [key, [name, value]] of headers) {
        switch (key) {
          case 'date': hasDate = true; break;
          case 'content-length': hasLength = true; break;
          case 'transfer-encoding': hasTe = true; break;
          case 'connection': connection = String(value).toLowerCase(); break;
          default:
        }
        s += headerLines(name, value);
      }
    }
    this.#noBody = status === 204 || status === 304 || (status >= 100 && status < 200) || req.method === 'HEAD';
    // keepAliveAllowed() covers the request's own wish (HTTP/1.0 keep-alive, `Connection: close`).
    let close = connection.includes('close') || !this.#sink.keepAliveAllowed();
    if (!this.#noBody && !hasLength && !hasTe) {
      if (length >= 0) s += `Content-Length: ${length}${CRLF}`;
      else if (req.httpVersionMinor === 1) {
        this.#chunked = true;
        s += `Transfer-Encoding: chunked${CRLF}`;
      } else {
        close = true; // HTTP/1.0 without a length: the body ends with the connection.
      }
    } else if (hasTe && !this.#noBody) {
      this.#chunked = true;
    }
    if (this.sendDate && !hasDate) s += `Date: ${httpDate()}${CRLF}`;
    if (close && connection === '') s += `Connection: close${CRLF}`;
    else if (!close && req.httpVersionMinor === 0 && connection === '') s += `Connection: keep-alive${CRLF}`;
    this.#close = close;
    return s + CRLF;
  }

  /** Body bytes (after the head, if it still has to go), as a chunk when the response is chunked. */
  #sendBody(head: string | undefined, data: Buffer): boolean {
    if (!this.#chunked) return this.#send(head, data);
    return this.#send(`${head ?? ''}${data.length.toString(16)}${CRLF}`, data, CRLF);
  }

  /** One write of head text + optional body (+ tail text), copied together when small. */
  #send(text: string | undefined, body: Buffer | undefined, tail?: string): boolean {
    if (this.destroyed) return false;
    const socket = this.socket;
    if (body === undefined || body.length === 0) {
      const all = tail === undefined ? text : `${text ?? ''}${tail}`;
      if (all === undefined || all === '') return true;
      const out = scratchBuffer(all.length);
      return writeTransient(socket, out, out.write(all, 0, 'latin1'));
    }
    const textLen = text === undefined ? 0 : text.length;
    const tailLen = tail === undefined ? 0 : tail.length;
    if (body.length <= COPY_LIMIT) {
      const size = textLen + body.length + tailLen;
      const out = scratchBuffer(size);
      if (textLen > 0) out.write(text!, 0, 'latin1');
      body.copy(out, textLen);
      if (tailLen > 0) out.write(tail!, textLen + body.length, 'latin1');
      return writeTransient(socket, out, size);
    }
    socket.cork();
    if (textLen > 0) socket.write(text!, 'latin1');
    let ok = socket.write(body);
    if (tailLen > 0) ok = socket.write(tail!, 'latin1');
    socket.uncork();
    return ok;
  }
}

function emitFinish(res: LeanResponse): void {
  res.emit('finish');
  res.emit('close');
}

function headerLines(name: string, value: HeaderValue): string {
  if (Array.isArray(value)) {
    let s = '';
    for (const v of value) s += `${name}: ${v}${CRLF}`;
    return s;
  }
  return `${name}: ${String(value)}${CRLF}`;
}

import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { FcgiExchange, type ExchangeHost } from './exchange.js';
import {
  FLAG_KEEP_CONN, ProtocolStatus, RecordReader, RecordType, Role,
  decodePairs, encodeEndRequest, encodeRecord, encodePairs, encodeUnknownType, type FcgiRecord,
} from './records.js';

export interface ConnectionOptions {
  readonly http: HttpServer;
  readonly internalErrorCode: number;
}

/** The answers to FCGI_GET_VALUES this server knows (no connection or request limits of its own). */
const VALUES: Readonly<Record<string, string>> = { FCGI_MPXS_CONNS: '1' };

/**
 * One FastCGI connection from the web server: demultiplexes records by request id (several
 * requests may run at once), answers management records, closes the connection after a request
 * without FCGI_KEEP_CONN, and once draining, as soon as no request is running on it.
 */
export class FcgiConnection implements ExchangeHost {
  readonly http: HttpServer;
  readonly internalErrorCode: number;
  readonly #socket: Socket;
  readonly #reader: RecordReader;
  readonly #exchanges = new Map<number, FcgiExchange>();
  #pauses = 0;
  #closing = false;

  constructor(socket: Socket, o: ConnectionOptions) {
    this.http = o.http;
    this.internalErrorCode = o.internalErrorCode;
    this.#socket = socket;
    this.#reader = new RecordReader((r) => this.#onRecord(r));
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#reader.push(chunk);
      } catch {
        // Not FastCGI (or a corrupt stream): nothing sensible can be answered.
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      for (const ex of [...this.#exchanges.values()]) ex.abort();
    });
  }

  get idle(): boolean {
    return this.#exchanges.size === 0;
  }

  /** Drain: no new work is expected; the connection closes once its requests are answered. */
  closeWhenIdle(): void {
    this.#closing = true;
    if (this.idle) this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  write(bytes: Buffer): boolean {
    if (this.#socket.destroyed || !this.#socket.writable) return true;
    return this.#socket.write(bytes);
  }

  whenDrained(cb: () => void): void {
    if (this.#socket.destroyed || !this.#socket.writable) cb();
    else this.#socket.once('drain', cb);
  }

  pauseInput(): void {
    if (this.#pauses++ === 0) this.#socket.pause();
  }

  resumeInput(): void {
    if (--this.#pauses === 0) this.#socket.resume();
  }

  finished(ex: FcgiExchange): void {
    if (this.#exchanges.get(ex.id) === ex) this.#exchanges.delete(ex.id);
    if (!ex.keepConn || (this.#closing && this.idle)) this.#socket.end();
  }

  #onRecord(r: FcgiRecord): void {
    if (r.requestId === 0) {
      if (r.type === RecordType.GET_VALUES) this.#getValues(r.content);
      else this.write(encodeUnknownType(r.type));
      return;
    }
    switch (r.type) {
      case RecordType.BEGIN_REQUEST:
        this.#begin(r);
        return;
      case RecordType.PARAMS:
        this.#exchanges.get(r.requestId)?.onParams(r.content);
        return;
      case RecordType.STDIN:
        this.#exchanges.get(r.requestId)?.onStdin(r.content);
        return;
      case RecordType.ABORT_REQUEST: {
        const ex = this.#exchanges.get(r.requestId);
        if (ex === undefined) return;
        this.write(encodeEndRequest(r.requestId, 0, ProtocolStatus.REQUEST_COMPLETE));
        ex.abort();
        return;
      }
      case RecordType.DATA:
        // Only the filter role reads FCGI_DATA; a responder ignores it.
        return;
      default:
        this.write(encodeUnknownType(r.type));
    }
  }

  #begin(r: FcgiRecord): void {
    // A BEGIN_REQUEST for an id that is already running is ignored, as the spec says.
    if (this.#exchanges.has(r.requestId) || r.content.length < 8) return;
    const role = r.content.readUInt16BE(0);
    const keepConn = (r.content[2]! & FLAG_KEEP_CONN) !== 0;
    if (role !== Role.RESPONDER) {
      this.write(encodeEndRequest(r.requestId, 0, ProtocolStatus.UNKNOWN_ROLE));
      if (!keepConn) this.#socket.end();
      return;
    }
    this.#exchanges.set(r.requestId, new FcgiExchange(r.requestId, keepConn, this));
  }

  #getValues(content: Buffer): void {
    let asked: Array<[string, string]>;
    try {
      asked = decodePairs(content);
    } catch {
      asked = [];
    }
    const known = asked.filter(([name]) => VALUES[name] !== undefined).map(([name]) => [name, VALUES[name]!] as [string, string]);
    this.write(encodeRecord(RecordType.GET_VALUES_RESULT, 0, encodePairs(known)));
  }
}

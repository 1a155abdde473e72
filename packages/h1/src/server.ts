import type { Server as HttpServer } from 'node:http';
import type { Http2Server } from 'node:http2';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { H1Connection, type ConnectionHost } from './connection.js';
import type { LeanRequest } from './lean-request.js';
import type { LeanResponse } from './lean-response.js';

export interface LeanServerOptions {
  /** Largest request head in bytes; larger ones get 431. @default 16384 (node:http's maxHeaderSize) */
  readonly maxHeaderSize?: number;
  /**
   * Largest body the lane reads into memory. A request declaring more reaches the handler with
   * `bodyTooLarge` set and no body, and its connection closes after the response.
   */
  readonly maxBodySize: number;
  /**
   * A request (head and body) must have arrived this long after its first byte, and a new
   * connection must send its first request within it, else the connection is closed (Go's
   * ReadTimeout; 0: never). @default 300000
   */
  readonly readTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this long (0: never). @default 3600000 */
  readonly idleTimeoutMs?: number;
  /**
   * Serves what the lane leaves alone: chunked request bodies, `Expect: 100-continue`, `Upgrade`,
   * CONNECT. The connection moves there for good, unread bytes put back.
   */
  readonly fallback: HttpServer;
  /** HTTP/2 with prior knowledge (h2c) on the same port, when enabled. */
  readonly h2?: Http2Server;
}

export type LeanHandler = (req: LeanRequest, res: LeanResponse) => void;

/**
 * The lean HTTP/1.1 lane: a net.Server whose connections parse requests themselves and answer
 * with one write per response, instead of node:http's IncomingMessage/ServerResponse streams. It
 * serves the common requests (Content-Length or no body) and passes every other connection on to
 * node:http (`fallback`) or HTTP/2 (`h2`).
 */
export class LeanServer implements ConnectionHost {
  readonly server: NetServer;
  readonly maxHeaderSize: number;
  readonly maxBodySize: number;
  readonly readTimeoutMs: number;
  readonly idleTimeoutMs: number;
  draining = false;
  clock = performance.now();
  readonly #handler: LeanHandler;
  readonly #fallback: HttpServer;
  readonly #h2: Http2Server | undefined;
  readonly #conns = new Set<H1Connection>();
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: LeanServerOptions, handler: LeanHandler) {
    this.maxHeaderSize = options.maxHeaderSize ?? 16 * 1024;
    this.maxBodySize = options.maxBodySize;
    this.readTimeoutMs = options.readTimeoutMs ?? 300_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 3_600_000;
    this.#handler = handler;
    this.#fallback = options.fallback;
    this.#h2 = options.h2;
    this.server = createServer({ noDelay: true }, (socket) => {
      this.clock = performance.now();
      const conn = new H1Connection(socket, this);
      this.#conns.add(conn);
      if (this.draining) conn.closeIfIdle();
      this.#sweeper ??= this.#startSweeper();
    });
    this.server.once('close', () => this.#stopSweeper());
  }

  /** Advances the clock and applies the timeouts; runs only while connections exist. */
  #startSweeper(): NodeJS.Timeout {
    const limits = [this.readTimeoutMs, this.idleTimeoutMs].filter((ms) => ms > 0);
    const every = Math.max(10, Math.min(1_000, Math.floor(Math.min(4_000, ...limits) / 4)));
    const timer = setInterval(() => {
      const now = performance.now();
      this.clock = now;
      for (const c of this.#conns) c.sweep(now);
      if (this.#conns.size === 0) this.#stopSweeper();
    }, every);
    timer.unref();
    return timer;
  }

  #stopSweeper(): void {
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  handle(req: LeanRequest, res: LeanResponse): void {
    this.#handler(req, res);
  }

  handoff(socket: Socket, pending: Buffer | undefined): void {
    socket.pause();
    if (pending !== undefined) socket.unshift(pending);
    const h2 = this.#h2;
    if (h2 !== undefined && pending !== undefined && pending.toString('latin1', 0, 4) === 'PRI ') {
      // No resume(): HTTP/2 reads the handle natively and picks up the unshifted bytes first.
      h2.emit('connection', socket);
      return;
    }
    this.#fallback.emit('connection', socket);
    socket.resume();
  }

  forget(conn: H1Connection): void {
    this.#conns.delete(conn);
  }

  /** Connections currently served by the lane (handed-off ones excluded). */
  get connections(): number {
    return this.#conns.size;
  }

  /** Drain: no new keep-alive; idle connections close now, busy ones after their response. */
  closeIdleConnections(): void {
    this.draining = true;
    for (const c of this.#conns) c.closeIfIdle();
  }

  destroyAll(): void {
    for (const c of this.#conns) c.socket.destroy();
    this.#conns.clear();
    this.#stopSweeper();
  }
}

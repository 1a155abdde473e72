import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import {
  createSecureServer, createServer as createH2Server, type Http2SecureServer, type Http2Server, type Http2Session,
} from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { LeanServer } from '@rr/h1';
import { requestState, type HttpHandler, type HttpRequest, type HttpResponse } from '@rr/http-api';
import { RrError, type Logger } from '@rr/plugin-api';
import type { HttpConfig } from './config.js';
import { HttpErrorCodes } from './errors.js';
import { peerAddress } from './remote-addr.js';

// Go's plain-HTTP server limits: read/write/read-header 5 min, idle 1 h.
const READ_TIMEOUT_MS = 5 * 60_000;
const IDLE_TIMEOUT_MS = 60 * 60_000;
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const HSTS = 'max-age=31536000; includeSubDomains';

type AnyServer = HttpServer | NetServer | Http2Server | Http2SecureServer;

/** A bound listener: what `http server was started` reports. */
export interface BoundListener {
  readonly kind: 'http' | 'https' | 'fcgi';
  readonly address: string;
  readonly port: number;
}

/**
 * The plugin's listeners (plain HTTP/1.1 with optional h2c, HTTPS with h2 by ALPN, FastCGI) around one
 * handler chain. Counts requests in flight so drain can wait for them.
 */
export class Listeners {
  readonly #cfg: HttpConfig;
  readonly #log: Logger;
  readonly #servers: AnyServer[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();
  readonly #lean: LeanServer[] = [];
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  #draining = false;
  #handler: HttpHandler | undefined;
  readonly bound: BoundListener[] = [];

  constructor(cfg: HttpConfig, log: Logger) {
    this.#cfg = cfg;
    this.#log = log;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Binds every configured listener. */
  async start(
    handler: HttpHandler,
    /** Serve plain HTTP/1 with the lean lane (every middleware in the chain supports it). */
    lean: boolean,
    extra?: (track: (s: AnyServer) => void, onRequest: (req: IncomingMessage, res: ServerResponse) => void) => Promise<BoundListener | undefined>,
  ): Promise<void> {
    this.#handler = handler;
    const cfg = this.#cfg;
    const onRequest = this.#onRequest;
    if (cfg.ssl !== undefined) {
      const ssl = cfg.ssl;
      const requestCert = ssl.clientAuth !== 'none';
      const server = createSecureServer({
        cert: readFileSync(ssl.cert),
        key: readFileSync(ssl.key),
        ...(ssl.rootCa === undefined ? {} : { ca: readFileSync(ssl.rootCa) }),
        requestCert,
        rejectUnauthorized: ssl.clientAuth === 'require_and_verify',
        allowHTTP1: true,
        settings: { maxConcurrentStreams: cfg.maxConcurrentStreams },
      }, onRequest as never);
      if (ssl.clientAuth === 'require_any' || ssl.clientAuth === 'verify_if_given') {
        server.on('secureConnection', (socket: TLSSocket) => {
          const cert = socket.getPeerCertificate();
          const given = cert !== null && Object.keys(cert).length > 0;
          if (ssl.clientAuth === 'require_any' ? !given : given && !socket.authorized) socket.destroy();
        });
      }
      this.#trackH2(server);
      server.setTimeout(IDLE_TIMEOUT_MS);
      await this.#listen(server, ssl.host, ssl.port, 'https', ssl.address);
    }
    if (cfg.address !== undefined) {
      const plain = ssl_redirect(cfg) ? this.#onRedirect : onRequest;
      const h1 = createHttpServer({ requestTimeout: READ_TIMEOUT_MS, headersTimeout: READ_TIMEOUT_MS, keepAliveTimeout: IDLE_TIMEOUT_MS }, plain as never);
      h1.timeout = 0;
      let front: AnyServer = h1;
      const h2 = cfg.h2c ? createH2Server({ settings: { maxConcurrentStreams: cfg.maxConcurrentStreams } }, plain as never) : undefined;
      if (h2 !== undefined) this.#trackH2(h2);
      if (lean && plain === onRequest) {
        // The lean lane serves plain HTTP/1; node:http takes the connections it leaves (chunked
        // bodies, Expect, Upgrade), HTTP/2 the ones that open with the h2c preface.
        const laneServer = new LeanServer({
          maxBodySize: cfg.maxRequestSize,
          readTimeoutMs: READ_TIMEOUT_MS,
          idleTimeoutMs: IDLE_TIMEOUT_MS,
          fallback: h1,
          ...(h2 === undefined ? {} : { h2 }),
        }, onRequest as never);
        this.#lean.push(laneServer);
        front = laneServer.server;
        this.#servers.push(h1, ...(h2 === undefined ? [] : [h2]));
      } else if (h2 !== undefined) {
        front = createNetServer((socket) => sniffPreface(socket, h1, h2));
        this.#servers.push(h1, h2);
      }
      await this.#listen(front, cfg.host!, cfg.port!, 'http', cfg.address);
    }
    if (extra !== undefined) {
      const b = await extra((s) => this.#track(s), onRequest as never);
      if (b !== undefined) this.bound.push(b);
    }
  }

  #track(server: AnyServer): void {
    this.#servers.push(server);
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  #trackH2(server: Http2Server | Http2SecureServer): void {
    server.on('session', (session: Http2Session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
      if (this.#draining) session.close();
    });
  }

  async #listen(server: AnyServer, host: string, port: number, kind: 'http' | 'https', address: string): Promise<void> {
    this.#track(server);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new RrError(HttpErrorCodes.LISTEN,
          `the http plugin could not listen on ${address} (${kind}): ${err.message}; free the port or change ${kind === 'https' ? 'http.ssl.address' : 'http.address'}`,
          { cause: err }));
      };
      server.once('error', onError);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const a = server.address() as AddressInfo;
    this.bound.push({ kind, address: `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`, port: a.port });
  }

  /** Entry point of every request on every listener. Never rejects (a failing middleware gets 500). */
  readonly #onRequest = (req: HttpRequest, res: HttpResponse): void => {
    void this.#serve(req, res);
  };

  async #serve(req: HttpRequest, res: HttpResponse): Promise<void> {
    this.#inFlight++;
    const state = requestState(req);
    const peer = peerAddress(req.socket?.remoteAddress, req.socket?.remotePort);
    if (state.remoteAddr !== peer) state.remoteAddr = peer;
    if (this.#draining && req.httpVersionMajor === 1) res.setHeader('Connection', 'close');
    try {
      await this.#handler!(req, res);
    } catch (err) {
      this.#log.error('execute', { error: err });
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(this.#cfg.internalErrorCode, { 'Content-Length': 0 } as never);
        res.end();
      } else if (!res.writableEnded) {
        res.end();
      }
    } finally {
      if (--this.#inFlight === 0 && this.#idleWaiters.length > 0) {
        for (const w of this.#idleWaiters.splice(0)) w();
      }
    }
  }

  /** `ssl.redirect`: the plain listener sends everyone to https with 308 and HSTS. */
  readonly #onRedirect = (req: IncomingMessage, res: ServerResponse): void => {
    const ssl = this.#cfg.ssl!;
    const port = this.bound.find((b) => b.kind === 'https')?.port ?? ssl.port;
    const rawHost = req.headers.host ?? '';
    const hostOnly = rawHost.startsWith('[') ? rawHost.slice(0, rawHost.indexOf(']') + 1) : rawHost.split(':')[0]!;
    const target = `https://${hostOnly}${port === 443 ? '' : `:${port}`}${req.url ?? '/'}`;
    const body = req.method === 'GET' || req.method === 'HEAD' ? `<a href="${target.replace(/"/g, '&#34;')}">Permanent Redirect</a>.\n\n` : '';
    res.writeHead(308, {
      Location: target,
      'Strict-Transport-Security': HSTS,
      ...(body === '' ? {} : { 'Content-Type': 'text/html; charset=utf-8' }),
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  /** Stops accepting connections; requests in flight go on (drain). */
  closeListeners(): void {
    this.#draining = true;
    for (const s of this.#servers) {
      if (s.listening) s.close();
      (s as HttpServer).closeIdleConnections?.();
    }
    for (const session of this.#sessions) session.close();
    for (const lane of this.#lean) lane.closeIdleConnections();
  }

  /** Resolves when no request is in flight, or when the signal fires. */
  idle(signal: AbortSignal): Promise<void> {
    if (this.#inFlight === 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#idleWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Closes every remaining connection. */
  destroyAll(): void {
    this.closeListeners();
    for (const session of this.#sessions) session.destroy();
    for (const lane of this.#lean) lane.destroyAll();
    for (const socket of this.#sockets) socket.destroy();
    for (const s of this.#servers) (s as HttpServer).closeAllConnections?.();
  }
}

function ssl_redirect(cfg: HttpConfig): boolean {
  return cfg.ssl?.redirect === true;
}

/**
 * h2c with prior knowledge on the plain port: reads until the first bytes either match the HTTP/2
 * connection preface or do not, puts them back, and hands the socket to the right server.
 */
function sniffPreface(socket: Socket, h1: HttpServer, h2: Http2Server): void {
  let buf: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    const n = Math.min(buf.length, H2_PREFACE.length);
    const prefix = buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (prefix && buf.length < H2_PREFACE.length) return;
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.pause();
    socket.unshift(buf);
    if (prefix) {
      // No resume(): HTTP/2 reads the handle natively and picks up the unshifted bytes first;
      // resuming the JS stream would steal its data.
      h2.emit('connection', socket);
    } else {
      h1.emit('connection', socket);
      socket.resume();
    }
  };
  const onEnd = (): void => {
    socket.destroy();
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', () => {
    socket.destroy();
  });
}

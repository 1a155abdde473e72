import { lstatSync, unlinkSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { connect, Server as NetServer, type AddressInfo } from 'node:net';
import { RrError } from '@rr/plugin-api';
import type { HttpConfig } from '../config.js';
import { HttpErrorCodes } from '../errors.js';
import { FcgiConnection } from './connection.js';

export type FcgiAddress = NonNullable<HttpConfig['fcgi']>;

// As the plain listener (Go's limits): a request must arrive within 5 minutes.
const READ_TIMEOUT_MS = 5 * 60_000;

/**
 * The FastCGI listener. Each request is replayed as HTTP/1.1 into a private node:http server that
 * runs the plugin's request listener, so the handler chain behaves exactly as on `http.address`.
 * `closeIdleConnections`/`closeAllConnections` mirror node:http's, which the plugin's listener set
 * calls on drain and stop.
 */
export class FcgiServer extends NetServer {
  readonly http: HttpServer;
  readonly #conns = new Set<FcgiConnection>();
  #draining = false;
  #unixPath: string | undefined;

  constructor(onRequest: (req: IncomingMessage, res: ServerResponse) => void, internalErrorCode: number) {
    super();
    // No Host requirement: a FastCGI client may leave HTTP_HOST out (Go's cgi mapping allows it).
    const http = createHttpServer({ requestTimeout: READ_TIMEOUT_MS, headersTimeout: READ_TIMEOUT_MS, requireHostHeader: false }, onRequest);
    http.timeout = 0;
    this.http = http;
    this.on('connection', (socket) => {
      const conn = new FcgiConnection(socket, { http, internalErrorCode });
      this.#conns.add(conn);
      socket.once('close', () => this.#conns.delete(conn));
      if (this.#draining) conn.closeWhenIdle();
    });
    this.once('close', () => {
      http.close();
      if (this.#unixPath !== undefined) removeSocketFile(this.#unixPath);
    });
  }

  /** Binds the DSN's address; a leftover unix socket nobody listens on is replaced. */
  async bind(addr: FcgiAddress): Promise<{ address: string; port: number }> {
    const fail = (err: Error): RrError => new RrError(HttpErrorCodes.LISTEN,
      `the http plugin could not listen on ${addr.address} (fcgi): ${err.message}; free the address or change http.fcgi.address`, { cause: err });
    if (addr.path !== undefined) {
      try {
        await clearStaleSocket(addr.path);
      } catch (err) {
        throw fail(err as Error);
      }
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(fail(err));
      this.once('error', onError);
      const done = (): void => {
        this.off('error', onError);
        resolve();
      };
      if (addr.path !== undefined) this.listen({ path: addr.path }, done);
      else this.listen({ host: addr.host!, port: addr.port!, exclusive: true }, done);
    });
    if (addr.path !== undefined) {
      this.#unixPath = addr.path;
      return { address: `unix://${addr.path}`, port: 0 };
    }
    const a = this.address() as AddressInfo;
    return { address: `tcp://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`, port: a.port };
  }

  /** Drain: idle FastCGI connections close now, busy ones after their last answer. */
  closeIdleConnections(): void {
    this.#draining = true;
    for (const c of this.#conns) c.closeWhenIdle();
    this.http.closeIdleConnections();
  }

  closeAllConnections(): void {
    for (const c of this.#conns) c.destroy();
    this.http.closeAllConnections();
  }
}

function isSocket(path: string): boolean | undefined {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return undefined;
  }
}

function removeSocketFile(path: string): void {
  if (isSocket(path) === true) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
}

/** Removes `path` when it is a unix socket nobody accepts on; refuses anything else. */
async function clearStaleSocket(path: string): Promise<void> {
  const kind = isSocket(path);
  if (kind === undefined) return;
  if (!kind) throw new Error(`${path} exists and is not a unix socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another process accepts connections on ${path}`);
  unlinkSync(path);
}

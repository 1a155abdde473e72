import { chmod, chown, lstat, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { codecName, RpcCodec, RpcConnectionHandler, type RpcMessage, type SocketDsn } from '@rr/goridge';
import { RrError, type Logger } from '@rr/plugin-api';
import type { RpcCodec as RpcCodecName } from '@rr/rpc-api';
import type { UnixSocketOptions } from './config.js';
import { RpcErrorCodes } from './errors.js';
import type { RpcRegistry } from './registry.js';

export interface RpcServerOptions {
  readonly address: SocketDsn;
  /** The DSN as configured, for messages. */
  readonly listen: string;
  readonly unixSocket?: UnixSocketOptions;
  readonly registry: RpcRegistry;
  readonly logger: Logger;
}

const ALL_CODECS = [RpcCodec.PROTO, RpcCodec.JSON, RpcCodec.RAW, RpcCodec.MSGPACK, RpcCodec.GOB];

function remoteOf(socket: Socket): string {
  return socket.remoteAddress === undefined ? 'unix socket' : `${socket.remoteAddress}:${socket.remotePort ?? ''}`;
}

/**
 * The listening socket and its connections. Each connection runs its calls concurrently, like Go's
 * net/rpc; replies carry the request's codec and seq.
 */
export class RpcServer {
  readonly #opts: RpcServerOptions;
  readonly #connections = new Map<RpcConnectionHandler, Promise<void>>();
  #server: Server | undefined;
  #closed: Promise<void> | undefined;

  constructor(opts: RpcServerOptions) {
    this.#opts = opts;
  }

  /**
   * Binds and resolves once the socket accepts connections. Returns the bound address as a DSN
   * (with the real port when the configured one was 0).
   * @throws RrError RR_ERR_RPC_LISTEN
   */
  async listen(): Promise<string> {
    const { address, listen } = this.#opts;
    if (address.kind === 'unix') await this.#removeStaleSocket(address.path);
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(this.#listenError(err));
      server.once('error', onError);
      const ready = () => {
        server.off('error', onError);
        resolve();
      };
      if (address.kind === 'unix') server.listen(address.path, ready);
      else server.listen({ host: address.host, port: address.port }, ready);
    });
    server.on('error', (err) => this.#opts.logger.error('rpc listener error', { error: err.message }));
    if (address.kind === 'unix') {
      await this.#applySocketOptions(address.path);
      return listen;
    }
    const bound = server.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    return address.port === 0 ? `tcp://${host}:${port}` : listen;
  }

  /** Stops accepting connections; open ones keep working. */
  stopAccepting(): void {
    if (this.#server?.listening === true) this.#closed ??= new Promise((resolve) => this.#server!.close(() => resolve()));
  }

  /** Closes the listener and every connection; removes the unix socket file. */
  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.stopAccepting();
    const open = [...this.#connections.values()];
    for (const c of this.#connections.keys()) c.relay.destroy();
    await Promise.all(open);
    await this.#closed;
    // libuv unlinks a unix socket it bound when it closes; this covers the cases where it cannot.
    if (this.#opts.address.kind === 'unix') await rm(this.#opts.address.path, { force: true }).catch(() => undefined);
  }

  /** Number of open client connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  #accept(socket: Socket): void {
    const { registry, logger } = this.#opts;
    // Every codec reaches the registry, so a gob or msgpack call gets an error frame that says what
    // rr supports instead of a silently closed connection.
    const handler = new RpcConnectionHandler(socket, (req: RpcMessage) => this.#dispatch(registry, req), {
      codecs: ALL_CODECS,
      garbageWaitMs: 0,
    });
    const closed = new Promise<void>((resolve) => {
      handler.onClose((err) => {
        // A client that sends something unreadable loses its connection (protocol spec §5.1).
        if (err !== undefined) logger.debug('rpc connection closed', { error: err.message, remote: remoteOf(socket) });
        this.#connections.delete(handler);
        resolve();
      });
    });
    this.#connections.set(handler, closed);
  }

  async #dispatch(registry: RpcRegistry, req: RpcMessage): Promise<Uint8Array> {
    const reply = await registry.dispatch({ method: req.method, body: req.body, codec: codecName(req.codec) as RpcCodecName });
    return reply.body;
  }

  /**
   * A socket file left by a crashed server would make bind fail with EADDRINUSE, so it is removed,
   * as RoadRunner does. Anything that is not a socket is left alone: it is somebody's file.
   */
  async #removeStaleSocket(path: string): Promise<void> {
    const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw this.#listenError(err);
    });
    if (info === undefined) return;
    if (!info.isSocket()) {
      throw new RrError(
        RpcErrorCodes.LISTEN,
        `cannot start the RPC server on ${this.#opts.listen}: ${path} exists and is not a socket, and rr will not replace it. ` +
          'Remove the file or point rpc.listen at another path.',
      );
    }
    await rm(path, { force: true });
  }

  async #applySocketOptions(path: string): Promise<void> {
    const { mode, uid, gid } = this.#opts.unixSocket ?? {};
    try {
      if (mode !== undefined) await chmod(path, mode);
      if (uid !== undefined || gid !== undefined) await chown(path, uid ?? -1, gid ?? -1);
    } catch (err) {
      await this.close();
      throw this.#listenError(err as NodeJS.ErrnoException, 'cannot apply rpc.unix_socket to the socket file');
    }
  }

  #listenError(err: NodeJS.ErrnoException, what = 'cannot start the RPC server'): RrError {
    const hint =
      err.code === 'EADDRINUSE'
        ? 'another process (maybe another rr) already listens there; stop it or change rpc.listen'
        : err.code === 'EACCES' || err.code === 'EPERM'
          ? 'rr lacks the permission; pick a port above 1023 or a writable directory for the socket'
          : err.code === 'EADDRNOTAVAIL'
            ? 'the host is not an address of this machine; use 127.0.0.1'
            : 'check rpc.listen';
    return new RrError(RpcErrorCodes.LISTEN, `${what} on ${this.#opts.listen}: ${err.message}; ${hint}`, { cause: err });
  }
}

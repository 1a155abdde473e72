import { lstat, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { GoridgeError, GoridgeErrorCodes } from '../errors.js';
import { dialAddress, formatRelayDsn, parseSocketDsn } from './dsn.js';
import { pidHandshake } from './handshake.js';
import { SocketRelay } from './socket-relay.js';
import type { SocketDsn } from './dsn.js';
import type { RelayOptions } from './relay.js';

/** Options of {@link SocketRelayServer.listen}. */
export interface SocketRelayServerOptions extends RelayOptions {
  /**
   * How long an accepted connection has to answer the pid control frame before it is dropped.
   * @default 60000 (milliseconds; RoadRunner's allocate_timeout)
   */
  handshakeTimeoutMs?: number;
  /**
   * How long a connection that passed the handshake may wait for {@link SocketRelayServer.waitForPid}
   * before it is closed. RoadRunner leaks such connections; we do not.
   * @default 60000 (milliseconds)
   */
  unclaimedTimeoutMs?: number;
  /** The pid announced in the pid control frame. @default process.pid */
  serverPid?: number;
  /** Called when a connection passed the handshake, before it is handed over or filed (debug logs). */
  onHandshake?: (pid: number) => void;
  /** Receives problems with individual connections (failed handshakes, unclaimed timeouts). */
  onWarning?: (message: string, error?: Error) => void;
}

interface Waiter {
  resolve: (relay: SocketRelay) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Unclaimed {
  relay: SocketRelay;
  timer: NodeJS.Timeout;
  unsubscribe: () => void;
}

/**
 * The listener of the `tcp://` and `unix://` worker relays (spec §2.4). Workers connect back to it;
 * each connection gets the pid control frame at once, and after a valid pid reply it is filed under
 * that pid until the process manager claims it with {@link waitForPid} (the connection may arrive
 * before or after the claim). Connections nobody claims are closed after `unclaimedTimeoutMs`.
 */
export class SocketRelayServer {
  readonly #server: Server;
  readonly #options: SocketRelayServerOptions;
  /** The address actually listened on (port resolved when 0 was asked for). */
  readonly dsn: SocketDsn;
  #handshaking = new Set<SocketRelay>();
  #unclaimed = new Map<number, Unclaimed[]>();
  #waiters = new Map<number, Waiter[]>();
  #closed = false;

  private constructor(server: Server, dsn: SocketDsn, options: SocketRelayServerOptions) {
    this.#server = server;
    this.dsn = dsn;
    this.#options = options;
    server.on('connection', (socket) => this.#accept(socket));
    server.on('error', (err) => this.#warn(`socket relay listener ${this.address} failed`, err));
  }

  /**
   * Listens on `tcp://host:port` (port 0 picks a free one) or `unix://path` (an existing socket file
   * at the path is unlinked first; any other kind of file is refused).
   * @throws GoridgeError RR_ERR_GORIDGE_DSN for a bad address, RR_ERR_GORIDGE_LISTEN when binding fails.
   */
  static async listen(address: string | SocketDsn, options: SocketRelayServerOptions = {}): Promise<SocketRelayServer> {
    const dsn = typeof address === 'string' ? parseSocketDsn(address) : address;
    const text = formatRelayDsn(dsn);
    if (dsn.kind === 'unix') await removeStaleSocket(dsn.path, text);
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(
          new GoridgeError(
            GoridgeErrorCodes.LISTEN,
            `cannot listen for worker connections on ${text}: ${err.code ?? err.message}; ` +
              (err.code === 'EADDRINUSE'
                ? 'another process uses this address: stop it or choose another one in server.relay'
                : 'check the address in server.relay and the permissions of its directory'),
            { cause: err },
          ),
        );
      };
      server.once('error', onError);
      const listening = (): void => {
        server.off('error', onError);
        resolve();
      };
      if (dsn.kind === 'unix') server.listen(dsn.path, listening);
      else server.listen({ host: dsn.host, port: dsn.port }, listening);
    });
    const actual: SocketDsn =
      dsn.kind === 'tcp' ? { kind: 'tcp', host: dsn.host, port: (server.address() as AddressInfo).port } : dsn;
    return new SocketRelayServer(server, actual, options);
  }

  /** What workers should dial, for `RR_RELAY`: explicit loopback host, absolute unix path. */
  get address(): string {
    return dialAddress(this.dsn);
  }

  /** Connections that passed the handshake and wait to be claimed. */
  get unclaimedCount(): number {
    let n = 0;
    for (const list of this.#unclaimed.values()) n += list.length;
    return n;
  }

  /**
   * Resolves with the relay of the worker whose pid reply equals `pid` (its OS pid: the command must
   * start PHP directly, without a shell or wrapper). The handshake is done; frames received after it
   * are queued until the caller sets a frame handler.
   * @throws GoridgeError RR_ERR_GORIDGE_PID_TIMEOUT after `timeoutMs`; the signal's reason on abort;
   *   RR_ERR_GORIDGE_CLOSED when the server closes first.
   */
  waitForPid(pid: number, timeoutMs: number, signal?: AbortSignal): Promise<SocketRelay> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    const ready = this.#takeUnclaimed(pid);
    if (ready) return Promise.resolve(ready);
    return new Promise<SocketRelay>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        timer: setTimeout(() => {
          this.#removeWaiter(pid, waiter);
          const seen = [...this.#unclaimed.keys()];
          reject(
            new GoridgeError(
              GoridgeErrorCodes.PID_TIMEOUT,
              `worker with pid ${pid} did not connect to ${this.address} within ${timeoutMs} ms` +
                (seen.length > 0 ? ` (connections seen from pids ${seen.join(', ')})` : '') +
                '; make sure server.command starts php itself (no sh -c, wrapper script or docker exec: the pid ' +
                'must match) and that the worker uses RR_RELAY',
              { expected: `pid ${pid}`, found: seen.length > 0 ? `pids ${seen.join(', ')}` : 'no connection' },
            ),
          );
        }, timeoutMs),
        onAbort: () => {
          this.#removeWaiter(pid, waiter);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      const list = this.#waiters.get(pid);
      if (list) list.push(waiter);
      else this.#waiters.set(pid, [waiter]);
    });
  }

  /**
   * Stops listening (a unix socket file is removed), drops connections that are not claimed yet and
   * rejects pending waits. Claimed relays belong to their claimers and stay open.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    const closed = this.#closedError();
    for (const relay of this.#handshaking) relay.destroy(closed);
    this.#handshaking.clear();
    for (const list of this.#unclaimed.values()) {
      for (const u of list) {
        clearTimeout(u.timer);
        u.unsubscribe();
        u.relay.destroy(closed);
      }
    }
    this.#unclaimed.clear();
    for (const list of this.#waiters.values()) {
      for (const w of list) {
        clearTimeout(w.timer);
        w.signal?.removeEventListener('abort', w.onAbort);
        w.reject(closed);
      }
    }
    this.#waiters.clear();
    // server.close() releases the listening handle at once; its callback would also wait for the
    // claimed connections, which are not ours to wait for.
    await new Promise((r) => setImmediate(r));
  }

  #accept(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const relay = new SocketRelay(socket, this.#options);
    this.#handshaking.add(relay);
    pidHandshake(relay, {
      timeoutMs: this.#options.handshakeTimeoutMs ?? 60_000,
      serverPid: this.#options.serverPid ?? process.pid,
    }).then(
      (pid) => {
        if (!this.#handshaking.delete(relay)) return;
        this.#file(pid, relay);
        this.#options.onHandshake?.(pid);
      },
      (err: Error) => {
        if (!this.#handshaking.delete(relay)) return;
        this.#warn(`dropping a worker connection on ${this.address}: ${err.message}`, err);
        relay.destroy(err);
      },
    );
  }

  #file(pid: number, relay: SocketRelay): void {
    const waiters = this.#waiters.get(pid);
    const waiter = waiters?.shift();
    if (waiter) {
      if (waiters!.length === 0) this.#waiters.delete(pid);
      clearTimeout(waiter.timer);
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(relay);
      return;
    }
    const entry: Unclaimed = {
      relay,
      timer: setTimeout(() => {
        this.#dropUnclaimed(pid, entry);
        const err = new GoridgeError(
          GoridgeErrorCodes.PID_TIMEOUT,
          `closing the worker connection from pid ${pid} on ${this.address}: no process with that pid claimed it ` +
            `within ${this.#options.unclaimedTimeoutMs ?? 60_000} ms; a worker started through a shell or wrapper ` +
            'reports a pid the server does not know',
        );
        this.#warn(err.message, err);
        relay.destroy(err);
      }, this.#options.unclaimedTimeoutMs ?? 60_000),
      unsubscribe: relay.onClose(() => this.#dropUnclaimed(pid, entry)),
    };
    const list = this.#unclaimed.get(pid);
    if (list) list.push(entry);
    else this.#unclaimed.set(pid, [entry]);
  }

  #takeUnclaimed(pid: number): SocketRelay | undefined {
    const list = this.#unclaimed.get(pid);
    const entry = list?.shift();
    if (!entry) return undefined;
    if (list!.length === 0) this.#unclaimed.delete(pid);
    clearTimeout(entry.timer);
    entry.unsubscribe();
    return entry.relay;
  }

  #dropUnclaimed(pid: number, entry: Unclaimed): void {
    clearTimeout(entry.timer);
    entry.unsubscribe();
    const list = this.#unclaimed.get(pid);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#unclaimed.delete(pid);
  }

  #removeWaiter(pid: number, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    const list = this.#waiters.get(pid);
    if (!list) return;
    const i = list.indexOf(waiter);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#waiters.delete(pid);
  }

  #closedError(): GoridgeError {
    return new GoridgeError(
      GoridgeErrorCodes.CLOSED,
      `the socket relay listener ${this.address} is closed; no more workers can connect`,
    );
  }

  #warn(message: string, err?: Error): void {
    this.#options.onWarning?.(message, err);
  }
}

async function removeStaleSocket(path: string, text: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new GoridgeError(GoridgeErrorCodes.LISTEN, `cannot inspect ${path} before listening on ${text}: ${String(err)}`, {
      cause: err,
    });
  }
  if (!isSocket) {
    throw new GoridgeError(
      GoridgeErrorCodes.LISTEN,
      `cannot listen on ${text}: ${path} exists and is not a socket; refusing to delete it. Remove it or ` +
        'choose another path in server.relay',
    );
  }
  await unlink(path);
}

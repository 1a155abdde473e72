import { connect } from 'node:net';
import { GoridgeError, GoridgeErrorCodes } from '../errors.js';
import { formatRelayDsn, parseSocketDsn } from '../relay/dsn.js';
import { SocketRelay } from '../relay/socket-relay.js';
import { RpcCodec, decodeRpcResponse, encodeRpcRequest } from './codec.js';
import type { Frame } from '../frame.js';
import type { SocketDsn } from '../relay/dsn.js';
import type { Relay, RelayOptions } from '../relay/relay.js';
import type { RpcCodecFlag, RpcResponse } from './codec.js';

/** Options of {@link RpcClient}. */
export interface RpcClientOptions extends RelayOptions {
  /** Default per-call timeout; 0 waits forever. @default 30000 (milliseconds) */
  timeoutMs?: number;
  /** How long {@link RpcClient.connect} waits for the connection. @default 5000 (milliseconds) */
  connectTimeoutMs?: number;
}

/** The error of a call the server answered with an error frame. */
export class RpcRemoteError extends GoridgeError {
  /** The error text after the method name, exactly as the server sent it. */
  readonly remoteMessage: string;
  readonly method: string;
  constructor(method: string, remoteMessage: string) {
    super(GoridgeErrorCodes.RPC_REMOTE, `RPC call ${method} failed on the server: ${remoteMessage}`, {
      found: remoteMessage,
    });
    this.remoteMessage = remoteMessage;
    this.method = method;
  }
}

interface Pending {
  method: string;
  resolve: (r: RpcResponse) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A goridge RPC client (what `rr reset` / `rr workers` use). Many calls may be in flight on one
 * connection; responses are matched by seq, which starts at 1 like PHP's.
 */
export class RpcClient {
  readonly relay: Relay;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  /** Seqs of calls that timed out: their late responses are dropped, not treated as protocol errors. */
  readonly #abandoned = new Set<number>();
  #seq = 0;

  constructor(relay: Relay, options: RpcClientOptions = {}) {
    this.relay = relay;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    relay.setFrameHandler(this.#onFrame);
    relay.onClose((err) => this.#failAll(err));
  }

  /**
   * Connects to `tcp://host:port` or `unix://path` (the `rpc.listen` value).
   * @throws GoridgeError RR_ERR_GORIDGE_DSN for a bad address, RR_ERR_GORIDGE_IO when the
   *   connection fails or times out.
   */
  static async connect(address: string | SocketDsn, options: RpcClientOptions = {}): Promise<RpcClient> {
    const dsn = typeof address === 'string' ? parseSocketDsn(address) : address;
    const text = formatRelayDsn(dsn);
    const host = dsn.kind === 'tcp' && dsn.host === '0.0.0.0' ? '127.0.0.1' : dsn.kind === 'tcp' ? dsn.host : '';
    const socket = dsn.kind === 'tcp' ? connect({ host, port: dsn.port }) : connect({ path: dsn.path });
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string, cause?: unknown): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new GoridgeError(
            GoridgeErrorCodes.IO,
            `cannot connect to the RPC server at ${text}: ${why}; is rr running with an rpc section listening there?`,
            { cause },
          ),
        );
      };
      const timeoutMs = options.connectTimeoutMs ?? 5_000;
      const timer = setTimeout(() => fail(`no connection within ${timeoutMs} ms`), timeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message, err));
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve();
      });
    });
    return new RpcClient(new SocketRelay(socket, options), options);
  }

  /** Calls currently waiting for their response. */
  get inFlight(): number {
    return this.#pending.size;
  }

  get closed(): boolean {
    return this.relay.closed;
  }

  /**
   * Sends `method` with an already-encoded body and resolves with the response (its `body` holds
   * the encoded result; the client does not decode it).
   * @throws RpcRemoteError (RR_ERR_GORIDGE_RPC_REMOTE) when the server answers with an error;
   *   RR_ERR_GORIDGE_RPC_TIMEOUT; RR_ERR_GORIDGE_CLOSED when the connection is or gets closed.
   */
  call(
    method: string,
    body: Uint8Array | string = '',
    codec: RpcCodecFlag = RpcCodec.JSON,
    options: { timeoutMs?: number } = {},
  ): Promise<RpcResponse> {
    if (this.relay.closed) return Promise.reject(this.#closedError(this.relay.closeError));
    this.#seq = this.#seq >= 0xffffffff ? 1 : this.#seq + 1;
    const seq = this.#seq;
    return new Promise<RpcResponse>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
      const entry: Pending = { method, resolve, reject, timer: undefined };
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.#pending.delete(seq);
          this.#abandoned.add(seq);
          reject(
            new GoridgeError(
              GoridgeErrorCodes.RPC_TIMEOUT,
              `RPC call ${method} (seq ${seq}) got no response within ${timeoutMs} ms; the server is busy or stuck`,
            ),
          );
        }, timeoutMs);
      }
      this.#pending.set(seq, entry);
      try {
        this.relay.sendEncoded(encodeRpcRequest(seq, method, body, codec));
      } catch (err) {
        this.#pending.delete(seq);
        clearTimeout(entry.timer);
        reject(err);
      }
    });
  }

  /** JSON convenience: encodes `arg` (undefined → empty body = "no argument") and parses the result. */
  async callJson<T = unknown>(method: string, arg?: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    const body = arg === undefined ? '' : JSON.stringify(arg);
    const res = await this.call(method, body, RpcCodec.JSON, options);
    return (res.body.length === 0 ? undefined : JSON.parse(res.body.toString('utf8'))) as T;
  }

  /** Closes the connection; calls still waiting are rejected with RR_ERR_GORIDGE_CLOSED. */
  close(): void {
    this.relay.close();
  }

  readonly #onFrame = (f: Frame): void => {
    let res: RpcResponse;
    try {
      res = decodeRpcResponse(f);
    } catch (err) {
      this.relay.destroy(err as Error);
      return;
    }
    const entry = this.#pending.get(res.seq);
    if (entry === undefined && this.#abandoned.delete(res.seq)) return;
    if (entry === undefined) {
      this.relay.destroy(
        new GoridgeError(
          GoridgeErrorCodes.RPC_FRAME,
          `RPC response for seq ${res.seq} (${res.method}) matches no call in flight; the server broke the ` +
            'sequence protocol, closing the connection',
          { found: `seq ${res.seq}` },
        ),
      );
      return;
    }
    this.#pending.delete(res.seq);
    clearTimeout(entry.timer);
    if (res.error !== undefined) entry.reject(new RpcRemoteError(entry.method, res.error));
    else entry.resolve(res);
  };

  #failAll(cause: Error | undefined): void {
    if (this.#pending.size === 0) return;
    const err = this.#closedError(cause);
    for (const entry of this.#pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
    this.#pending.clear();
  }

  #closedError(cause: Error | undefined): GoridgeError {
    return new GoridgeError(
      GoridgeErrorCodes.CLOSED,
      `the RPC connection is closed${cause ? `: ${cause.message}` : ''}; reconnect to call again`,
      cause ? { cause } : {},
    );
  }
}

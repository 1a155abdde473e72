import { Socket } from 'node:net';
import { GoridgeError, GoridgeErrorCodes } from '../errors.js';
import { SocketRelay } from '../relay/socket-relay.js';
import { RpcCodec, codecName, decodeRpcMessage, encodeRpcError, encodeRpcResponse } from './codec.js';
import type { Frame } from '../frame.js';
import type { CloseListener, Relay, RelayOptions } from '../relay/relay.js';
import type { RpcMessage } from './codec.js';

/**
 * Handles one request. The resolved bytes (or string, sent as UTF-8) become the success response in
 * the request's codec; a thrown error or rejection becomes an error response carrying its message
 * (RoadRunner/Go net/rpc wording is the caller's job, e.g. "rpc: can't find method x.Y").
 */
export type RpcRequestHandler = (request: RpcMessage) => Uint8Array | string | Promise<Uint8Array | string>;

/** Options of {@link RpcConnectionHandler}. */
export interface RpcConnectionOptions extends RelayOptions {
  /**
   * Codecs the dispatcher can decode. A request whose chosen codec (spec §1.3 priority; GOB when no
   * bit is set) is not listed ends the connection without a reply, as RoadRunner does.
   * @default [RpcCodec.JSON, RpcCodec.PROTO, RpcCodec.RAW]
   */
  codecs?: readonly number[];
}

/**
 * Reads RPC requests from one accepted connection and writes the responses, for the rpc plugin
 * (which does the dispatching). Requests run concurrently, like Go's net/rpc: responses may leave in
 * a different order and are matched by the echoed seq. No pid handshake on RPC connections.
 * Unreadable frames (bad CRC, not two options, method length beyond the payload, unsupported codec)
 * close the connection without a reply (spec §5.1, §7.6).
 */
export class RpcConnectionHandler {
  readonly relay: Relay;
  readonly #handler: RpcRequestHandler;
  readonly #codecs: ReadonlySet<number>;
  #inFlight = 0;

  constructor(connection: Relay | Socket, handler: RpcRequestHandler, options: RpcConnectionOptions = {}) {
    this.relay = connection instanceof Socket ? new SocketRelay(connection, options) : connection;
    this.#handler = handler;
    this.#codecs = new Set(options.codecs ?? [RpcCodec.JSON, RpcCodec.PROTO, RpcCodec.RAW]);
    this.relay.setFrameHandler(this.#onFrame);
  }

  /** Requests whose handler has not settled yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  get closed(): boolean {
    return this.relay.closed;
  }

  /** See {@link Relay.onClose}: `error` says why an unreadable frame ended the connection. */
  onClose(listener: CloseListener): () => void {
    return this.relay.onClose(listener);
  }

  /** Flushes written responses and closes; responses of requests still running are dropped. */
  close(): void {
    this.relay.close();
  }

  readonly #onFrame = (f: Frame): void => {
    let req: RpcMessage;
    try {
      req = decodeRpcMessage(f);
    } catch (err) {
      this.relay.destroy(err as Error);
      return;
    }
    if (!this.#codecs.has(req.codec)) {
      this.relay.destroy(
        new GoridgeError(
          GoridgeErrorCodes.RPC_FRAME,
          `RPC request ${req.method} (seq ${req.seq}) uses the ${codecName(req.codec)} codec, which this server ` +
            `does not support (flags 0x${req.flags.toString(16)}); use one of ${[...this.#codecs].map(codecName).join(', ')}`,
          { found: codecName(req.codec) },
        ),
      );
      return;
    }
    let result: Uint8Array | string | Promise<Uint8Array | string>;
    try {
      result = this.#handler(req);
    } catch (err) {
      this.#reply(req, undefined, err);
      return;
    }
    if (typeof result === 'string' || result instanceof Uint8Array) {
      this.#reply(req, result, undefined);
      return;
    }
    this.#inFlight++;
    Promise.resolve(result).then(
      (body) => {
        this.#inFlight--;
        this.#reply(req, body, undefined);
      },
      (err: unknown) => {
        this.#inFlight--;
        this.#reply(req, undefined, err);
      },
    );
  };

  #reply(req: RpcMessage, body: Uint8Array | string | undefined, err: unknown): void {
    if (this.relay.closed) return;
    const bytes =
      body !== undefined
        ? encodeRpcResponse(req.seq, req.method, body, req.codec)
        : encodeRpcError(req.seq, req.method, err instanceof Error ? err.message : String(err), req.codec);
    this.relay.sendEncoded(bytes);
  }
}

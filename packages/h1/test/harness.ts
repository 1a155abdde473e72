// Test harness for @rr/h1: a LeanServer on 127.0.0.1 port 0 with a node:http fallback, a raw TCP
// client that waits for bytes (never for time), and a parser for the responses it receives, so
// tests can assert framing byte for byte.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Http2Server } from 'node:http2';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { LeanServer, type LeanHandler, type LeanServerOptions } from '../src/index.js';

const open: Array<() => Promise<void>> = [];

/** Closes every server and client the harness opened; call it in afterEach. */
export async function closeAll(): Promise<void> {
  for (const close of open.splice(0).reverse()) await close();
}

/** What the fallback node:http server received (requests the lane handed off). */
export interface FallbackCall {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface Lane {
  readonly lean: LeanServer;
  readonly fallback: HttpServer;
  readonly port: number;
  readonly fallbackCalls: FallbackCall[];
  /** Server-side sockets in accept order, to wait until bytes have reached the server. */
  readonly sockets: Socket[];
}

/** The fallback's default answer: 200 `fallback <METHOD> <url> <body>`, after reading the whole body. */
function fallbackEcho(calls: FallbackCall[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.setHeader('Content-Type', 'text/plain');
      res.end(`fallback ${req.method} ${req.url} ${body}`);
    });
  };
}

/** A LeanServer listening on 127.0.0.1:0 whose fallback is a node:http server echoing what it got. */
export async function startLane(handler: LeanHandler, options: Partial<LeanServerOptions> & { h2?: Http2Server } = {}): Promise<Lane> {
  const fallbackCalls: FallbackCall[] = [];
  const fallback = createHttpServer(fallbackEcho(fallbackCalls));
  const lean = new LeanServer({ maxBodySize: 1024 * 1024, ...options, fallback }, handler);
  const sockets: Socket[] = [];
  lean.server.on('connection', (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => lean.server.listen(0, '127.0.0.1', resolve));
  open.push(async () => {
    lean.destroyAll();
    fallback.closeAllConnections();
    await new Promise<void>((resolve) => lean.server.close(() => resolve()));
  });
  return { lean, fallback, port: (lean.server.address() as AddressInfo).port, fallbackCalls, sockets };
}

/** Resolves once the server side of a connection has read at least `n` bytes. */
export function bytesRead(socket: Socket, n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (socket.bytesRead < n) return;
      socket.off('data', check);
      resolve();
    };
    socket.on('data', check);
    check();
  });
}

/** A promise with its resolve function, to let a handler wait for the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

/**
 * A raw TCP client: sends exact bytes and waits for conditions on what came back. Every wait
 * is driven by 'data'/'close' events; a wait that can no longer be met (the server closed)
 * rejects with what was received, so a failing test says why instead of timing out.
 */
export class RawClient {
  readonly socket: Socket;
  #data: Buffer = Buffer.alloc(0);
  #ended = false;
  #checks = new Set<() => void>();
  /** Resolves once the connection is fully closed. */
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.#data = Buffer.concat([this.#data, c]);
      for (const check of [...this.#checks]) check();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.#ended = true;
      for (const check of [...this.#checks]) check();
      resolve();
    }));
  }

  /** `allowHalfOpen`: keep our side open after the server's FIN (a client that never closes). */
  static async connect(port: number, { allowHalfOpen = false } = {}): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true, allowHalfOpen });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    open.push(async () => {
      socket.destroy();
      await client.closed;
    });
    return client;
  }

  get data(): Buffer {
    return this.#data;
  }

  get text(): string {
    return this.#data.toString('latin1');
  }

  /** True once the server closed (or reset) the connection. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Writes and resolves when the bytes are handed to the kernel. */
  send(bytes: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Sends byte after byte, each in its own write (with Nagle off, mostly its own segment). */
  async sendBytewise(bytes: string | Buffer): Promise<void> {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    for (let i = 0; i < b.length; i++) await this.send(b.subarray(i, i + 1));
  }

  /** Resolves with `pick(data)` once it is not undefined; rejects if the connection closes first. */
  until<T>(pick: (data: Buffer, ended: boolean) => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        let got: T | undefined;
        try {
          got = pick(this.#data, this.#ended);
        } catch (err) {
          // Unparsable bytes fail the wait; thrown from a socket listener they would hang the test.
          this.#checks.delete(check);
          reject(err as Error);
          return;
        }
        if (got !== undefined) {
          this.#checks.delete(check);
          resolve(got);
        } else if (this.#ended) {
          this.#checks.delete(check);
          reject(new Error(`connection closed before the expected data arrived; received: ${JSON.stringify(this.text)}`));
        }
      };
      this.#checks.add(check);
      check();
    });
  }

  /** Waits for `n` complete responses (`methods` tells which requests were HEAD). */
  responses(n: number, methods: readonly string[] = []): Promise<WireResponse[]> {
    return this.until((data, ended) => {
      const { responses } = parseResponses(data, methods, ended);
      return responses.length >= n ? responses : undefined;
    });
  }

  /** Waits until the server closed the connection; returns all responses received. */
  async closeAndResponses(methods: readonly string[] = []): Promise<WireResponse[]> {
    await this.closed;
    return parseResponses(this.#data, methods, true).responses;
  }
}

/** One response as it was on the wire. */
export interface WireResponse {
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  /** Status line and header lines, CRLFs included, without the blank line. */
  readonly head: string;
  /** Lower-case name -> values in order. */
  readonly headers: Record<string, string[]>;
  readonly framing: 'length' | 'chunked' | 'close' | 'none';
  readonly body: Buffer;
  /** Chunk sizes as sent (chunked framing only). */
  readonly chunks: number[];
  readonly trailers: Record<string, string[]>;
}

function headerBlock(lines: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    (out[name] ??= []).push(line.slice(colon + 1).trim());
  }
  return out;
}

/**
 * Splits `data` into complete responses. `methods[i]` is the method of the i-th request (HEAD
 * responses have no body); `ended` says the connection closed, which completes a close-delimited body.
 */
export function parseResponses(data: Buffer, methods: readonly string[], ended: boolean): { responses: WireResponse[]; rest: Buffer } {
  const responses: WireResponse[] = [];
  let at = 0;
  let request = 0;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', at, 'latin1');
    if (headEnd < 0) break;
    const head = data.toString('latin1', at, headEnd + 2);
    const [statusLine = '', ...lines] = head.slice(0, -2).split('\r\n');
    const m = /^(HTTP\/\d\.\d) (\d{3}) ?(.*)$/.exec(statusLine);
    if (m === null) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
    const status = Number(m[2]);
    const headers = headerBlock(lines);
    const bodyAt = headEnd + 4;
    const informational = status >= 100 && status < 200;
    const method = methods[request] ?? 'GET';
    const base = { version: m[1]!, status, reason: m[3]!, head, headers };
    if (informational || method === 'HEAD' || status === 204 || status === 304) {
      responses.push({ ...base, framing: 'none', body: Buffer.alloc(0), chunks: [], trailers: {} });
      at = bodyAt;
    } else if (headers['transfer-encoding']?.some((v) => v.toLowerCase().includes('chunked'))) {
      const bodies: Buffer[] = [];
      const chunks: number[] = [];
      let p = bodyAt;
      let done = false;
      let trailers: Record<string, string[]> = {};
      for (;;) {
        const lineEnd = data.indexOf('\r\n', p, 'latin1');
        if (lineEnd < 0) break;
        const size = parseInt(data.toString('latin1', p, lineEnd), 16);
        if (Number.isNaN(size)) throw new Error(`bad chunk size at ${p}: ${JSON.stringify(data.toString('latin1', p, lineEnd))}`);
        if (size === 0) {
          const end = data.indexOf('\r\n\r\n', lineEnd, 'latin1');
          if (end === lineEnd) {
            p = lineEnd + 4;
          } else {
            const tEnd = data.indexOf('\r\n\r\n', lineEnd + 2, 'latin1');
            if (tEnd < 0) break;
            trailers = headerBlock(data.toString('latin1', lineEnd + 2, tEnd).split('\r\n'));
            p = tEnd + 4;
          }
          chunks.push(0);
          done = true;
          break;
        }
        if (data.length < lineEnd + 2 + size + 2) break;
        bodies.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        if (data.toString('latin1', lineEnd + 2 + size, lineEnd + 4 + size) !== '\r\n') throw new Error('chunk not followed by CRLF');
        chunks.push(size);
        p = lineEnd + 4 + size;
      }
      if (!done) break;
      responses.push({ ...base, framing: 'chunked', body: Buffer.concat(bodies), chunks, trailers });
      at = p;
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length'][0]);
      if (data.length < bodyAt + length) break;
      responses.push({ ...base, framing: 'length', body: data.subarray(bodyAt, bodyAt + length), chunks: [], trailers: {} });
      at = bodyAt + length;
    } else {
      if (!ended) break;
      responses.push({ ...base, framing: 'close', body: data.subarray(bodyAt), chunks: [], trailers: {} });
      at = data.length;
    }
    if (!informational) request++;
  }
  return { responses, rest: data.subarray(at) };
}

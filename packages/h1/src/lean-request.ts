import type { Socket } from 'node:net';
import type { RequestHead } from './head-parser.js';

/**
 * A request of the lean lane. It has the fields of node's IncomingMessage that request handlers
 * read (method, url, headers, rawHeaders, httpVersion*, socket) but is not a stream: the lane reads
 * the whole body (bounded by the server's body limit) before the handler runs, so `body` holds it.
 */
export class LeanRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[]>;
  readonly rawHeaders: string[];
  readonly httpVersion: '1.0' | '1.1';
  readonly httpVersionMajor = 1 as const;
  readonly httpVersionMinor: 0 | 1;
  readonly socket: Socket;
  /** The whole body; empty when there is none or when it was over the limit (`bodyTooLarge`). */
  readonly body: Buffer;
  /** Content-Length was over the server's body limit: the body was not read, the connection will close. */
  readonly bodyTooLarge: boolean;
  readonly complete = true;
  /** Marks requests of this lane (`isLeanRequest`) without an instanceof across package copies. */
  readonly lean = true as const;

  constructor(head: RequestHead, body: Buffer, bodyTooLarge: boolean, socket: Socket) {
    this.method = head.method;
    this.url = head.url;
    this.headers = head.headers;
    this.rawHeaders = head.rawHeaders;
    this.httpVersionMinor = head.versionMinor;
    this.httpVersion = head.versionMinor === 1 ? '1.1' : '1.0';
    this.socket = socket;
    this.body = body;
    this.bodyTooLarge = bodyTooLarge;
  }

  get connection(): Socket {
    return this.socket;
  }

  /** The body as one chunk, for code that reads requests as async iterables of Buffers. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    if (this.body.length > 0) yield this.body;
  }
}

/** True for requests of the lean lane, whose body is already in memory. */
export function isLeanRequest(req: unknown): req is LeanRequest {
  return (req as { lean?: unknown }).lean === true;
}

import type { HttpRequest, HttpResponse } from '@rr/http-api';
import type { Payload } from '@rr/pool-api';
import { canonicalHeaderName } from './header-name.js';
import type { ResponseContext } from './proto.js';
import { readResponseContext } from './response-context.js';
import { sniffContentType } from './sniff.js';

/** Bytes of the response body written so far (read by the access log). */
export const WRITTEN = Symbol('rr.http.written');
/** Bytes of the request body read (read by the access log). */
export const READ = Symbol('rr.http.read');

export type Counted = { [WRITTEN]?: number; [READ]?: number };

// Connection-specific headers are illegal in HTTP/2 responses (Node throws on them).
const H2_FORBIDDEN = new Set(['Connection', 'Keep-Alive', 'Proxy-Connection', 'Transfer-Encoding', 'Upgrade']);

const EMPTY = new Uint8Array(0);

type Writable = { write(chunk: Uint8Array): boolean };

/** Thrown when the worker's status is outside 100–599: the client gets 500 with this text. */
export class BadStatusError extends Error {}

interface Prepared {
  headers: Record<string, string[]>;
  trailers: Record<string, string[]> | undefined;
  hasType: boolean;
  hasLength: boolean;
}

/** Applies RoadRunner's header rules: canonical names, `Trailer` names moved to trailers. */
function prepareHeaders(raw: Record<string, string[]>, h2: boolean): Prepared {
  const headers: Record<string, string[]> = {};
  let trailerNames: string[] | undefined;
  let hasType = false;
  let hasLength = false;
  for (const name in raw) {
    const canon = canonicalHeaderName(name);
    const values = raw[name]!;
    if (canon === 'Trailer') {
      for (const v of values) for (const t of v.split(',')) {
        const n = t.trim();
        if (n !== '') (trailerNames ??= []).push(canonicalHeaderName(n));
      }
      continue;
    }
    if (canon === 'Transfer-Encoding' || (h2 && H2_FORBIDDEN.has(canon))) continue;
    if (canon === 'Content-Type') hasType = true;
    else if (canon === 'Content-Length') hasLength = true;
    const prev = headers[canon];
    headers[canon] = prev === undefined ? values : prev.concat(values);
  }
  let trailers: Record<string, string[]> | undefined;
  if (trailerNames !== undefined) {
    const announced: string[] = [];
    for (const n of trailerNames) {
      const v = headers[n];
      if (v === undefined) continue;
      (trailers ??= {})[n] = v;
      delete headers[n];
      announced.push(n);
    }
    if (announced.length > 0) {
      headers['Trailer'] = [announced.join(', ')];
      if (!h2) delete headers['Content-Length'];
      hasLength = false;
    }
  }
  return { headers, trailers, hasType, hasLength };
}

const REASONS: Record<number, string> = { 100: 'Continue', 102: 'Processing', 103: 'Early Hints' };

/** Sends an informational (1xx) response without touching the final response's headers. */
function sendInterim(req: HttpRequest, res: HttpResponse, status: number, headers: Record<string, string[]>): void {
  if (req.httpVersionMajor === 2) {
    const h: Record<string, string | string[] | number> = { ':status': status };
    for (const n in headers) if (!H2_FORBIDDEN.has(canonicalHeaderName(n))) h[n.toLowerCase()] = headers[n]!;
    (res as unknown as { stream: { additionalHeaders(h: object): void } }).stream.additionalHeaders(h);
    return;
  }
  // HTTP/1.0 clients do not understand interim responses (Go does not send them either).
  if (req.httpVersionMinor < 1) return;
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Informational'}\r\n`;
  for (const n in headers) for (const v of headers[n]!) head += `${canonicalHeaderName(n)}: ${v.replace(/[\r\n]/g, '')}\r\n`;
  (res as unknown as { _writeRaw(data: string, enc: string): void })._writeRaw(`${head}\r\n`, 'latin1');
}

function count(res: HttpResponse, n: number): void {
  const c = res as unknown as Counted;
  c[WRITTEN] = (c[WRITTEN] ?? 0) + n;
}

/**
 * Writes the worker's answer to the client, frame by frame (protocol.md §4.9). One per request; the
 * single-frame case is one writeHead + end.
 */
export class ResponseWriter {
  #final = false;
  #trailers: Record<string, string[]> | undefined;
  /** Told about a 101 frame, which is ignored (upgrades are not supported through workers). */
  readonly onIgnored?: (status: number) => void;

  /** `chunk`, bound: handed to the pool as ExecOptions.onChunk. */
  readonly onChunk = (p: Payload): Promise<void> | void => this.chunk(p);

  constructor(private readonly req: HttpRequest, private readonly res: HttpResponse, onIgnored?: (status: number) => void) {
    if (onIgnored !== undefined) this.onIgnored = onIgnored;
  }

  get headersSent(): boolean {
    return this.#final;
  }

  /** A whole (non-streamed) response. */
  single(p: Payload): void {
    const ctx = readResponseContext(p);
    if (ctx !== undefined && !this.#head(ctx, p.body, true)) {
      // A lone 1xx frame: Go then finishes with an implicit 200 and no body.
      this.#writeFinal({ status: 200, headers: {} }, p.body, true);
      this.res.end();
      return;
    }
    if (ctx === undefined) this.#writeFinal({ status: 200, headers: {} }, p.body, true);
    this.#end(p.body);
  }

  /** True once a streamed frame arrived (the response is written chunk by chunk). */
  streamed = false;

  /** One frame of a streamed response, the last included. Resolves when the client can take more. */
  chunk(p: Payload): Promise<void> | void {
    const res = this.res;
    this.streamed = true;
    if (res.destroyed) throw new Error('the client closed the connection');
    // Only contexts before the final status count (1xx frames, then the real one).
    if (!this.#final) {
      const ctx = readResponseContext(p);
      // An informational frame: its body (if any) is dropped; the final status comes later.
      if (ctx !== undefined && !this.#head(ctx, p.body, false)) return;
    }
    if (p.body.length === 0) return;
    if (!this.#final) this.#writeFinal({ status: 200, headers: {} }, p.body, false);
    count(res, p.body.length);
    if (!(res as Writable).write(p.body)) return waitDrain(res);
  }

  /** Ends a streamed response after its last frame. */
  finish(): void {
    if (!this.#final) this.#writeFinal({ status: 200, headers: {} }, EMPTY, true);
    this.#end(EMPTY);
  }

  /** Handles a context; false when it was informational (the final status is still to come). */
  #head(ctx: ResponseContext, body: Uint8Array, single: boolean): boolean {
    const status = ctx.status;
    if (status < 100 || status > 599 || !Number.isInteger(status)) throw new BadStatusError(`unknown status code from worker: ${status}`);
    if (status < 200) {
      if (status === 101) this.onIgnored?.(status);
      else sendInterim(this.req, this.res, status, ctx.headers);
      return false;
    }
    this.#writeFinal(ctx, body, single);
    return true;
  }

  #writeFinal(ctx: ResponseContext, body: Uint8Array, single: boolean): void {
    if (this.#final) return;
    this.#final = true;
    const h2 = this.req.httpVersionMajor === 2;
    const prep = prepareHeaders(ctx.headers, h2);
    const headers = prep.headers as Record<string, string | string[] | number>;
    if (!prep.hasType && body.length > 0) headers['Content-Type'] = sniffContentType(body);
    const noBody = ctx.status === 204 || ctx.status === 304;
    if (single && prep.trailers === undefined && !noBody && this.req.method !== 'HEAD') headers['Content-Length'] = body.length;
    this.#trailers = prep.trailers;
    this.res.writeHead(ctx.status, headers as never);
  }

  #end(body: Uint8Array): void {
    const res = this.res;
    if (body.length > 0) {
      count(res, body.length);
      if (this.#trailers === undefined) {
        res.end(body);
        return;
      }
      (res as Writable).write(body);
    }
    if (this.#trailers !== undefined) res.addTrailers(this.#trailers as never);
    res.end();
  }
}

function waitDrain(res: HttpResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      if (res.destroyed && !res.writableFinished) reject(new Error('the client closed the connection'));
      else resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

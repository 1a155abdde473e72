import type { HttpRequest } from '@rr/http-api';
import type { HttpConfig } from './config.js';
import { formTree, FormTreeError, type FormTree } from './form-tree.js';
import { boundaryOf, MultipartError, parseMultipart } from './multipart.js';
import { parseUrlEncoded } from './query.js';
import { storeUploads } from './uploads.js';

const EMPTY = Buffer.alloc(0);
const EMPTY_TREE = Buffer.from('{}');

/** Thrown while reading: the body is over `max_request_size`. */
export class TooLargeError extends Error {
  readonly status = 413;
}

/** A malformed form body: RoadRunner answers 400 `serve_http: <error>`. */
export class BadBodyError extends Error {
  readonly status = 400;
}

/** True when the request carries a body at all (so GETs skip the read entirely). */
export function hasBody(req: HttpRequest): boolean {
  if (req.httpVersionMajor === 2) {
    return (req as unknown as { stream?: { endAfterHeaders?: boolean } }).stream?.endAfterHeaders !== true;
  }
  const h = req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

/** Buffers the whole body, at most `limit` bytes. */
export async function readBody(req: HttpRequest, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new TooLargeError(`request body of ${declared} bytes is over max_request_size (${limit} bytes)`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new TooLargeError(`request body is over max_request_size (${limit} bytes)`);
    chunks.push(chunk);
  }
  if (chunks.length === 0) return EMPTY;
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

export interface PreparedBody {
  body: Buffer;
  parsed: boolean;
  uploads: FormTree | null;
}

const FORM_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Turns the raw body into what PHP receives (protocol.md §4.4): urlencoded and multipart forms
 * become a JSON tree (`parsed`), files go to temp files listed in `temps`; anything else is raw.
 */
export async function prepareBody(method: string, contentType: string | undefined, raw: Buffer, cfg: HttpConfig, temps: string[]): Promise<PreparedBody> {
  if (cfg.rawBody || contentType === undefined) return { body: raw, parsed: false, uploads: null };
  if (contentType.includes('application/x-www-form-urlencoded')) {
    if (!FORM_METHODS.has(method)) return { body: EMPTY_TREE, parsed: true, uploads: null };
    const fields = parseUrlEncoded(raw.toString('latin1'));
    if (typeof fields === 'string') throw new BadBodyError(fields);
    return { body: treeBody(fields), parsed: true, uploads: null };
  }
  if (contentType.includes('multipart/form-data')) {
    const boundary = boundaryOf(contentType);
    if (boundary === undefined) throw new BadBodyError('no multipart boundary param in Content-Type');
    let parts;
    try {
      parts = parseMultipart(raw, boundary);
    } catch (err) {
      if (err instanceof MultipartError) throw new BadBodyError(err.message);
      throw err;
    }
    const fields = new Map<string, string[]>();
    for (const p of parts) {
      if (p.filename !== undefined) continue;
      const v = p.data.toString('utf8');
      const list = fields.get(p.name);
      if (list === undefined) fields.set(p.name, [v]);
      else list.push(v);
    }
    const body = treeBody(fields);
    const uploads = await storeUploads(parts, cfg.uploads, temps);
    return { body, parsed: true, uploads };
  }
  return { body: raw, parsed: false, uploads: null };
}

function treeBody(fields: Map<string, string[]>): Buffer {
  try {
    return Buffer.from(JSON.stringify(formTree(fields)));
  } catch (err) {
    if (err instanceof FormTreeError) throw new BadBodyError(err.message);
    throw err;
  }
}

import type { Payload } from '@rr/pool-api';
import { decodeProtoResponse, type ResponseContext } from './proto.js';

/** Thrown for a response context that cannot be read; the client gets 500 and the line is logged. */
export class ResponseContextError extends Error {}

function normaliseHeaders(raw: unknown): Record<string, string[]> {
  // PHP encodes an empty header set as {} or [] depending on the library; values may be strings.
  const out: Record<string, string[]> = {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const name of Object.keys(raw)) {
    const v = (raw as Record<string, unknown>)[name];
    if (Array.isArray(v)) {
      const list: string[] = [];
      for (const item of v) if (typeof item === 'string' || typeof item === 'number') list.push(String(item));
      if (list.length > 0) out[name] = list;
    } else if (typeof v === 'string' || typeof v === 'number') {
      out[name] = [String(v)];
    }
  }
  return out;
}

/** Longest JSON context remembered by the one-entry cache below. */
const CACHE_MAX_BYTES = 1024;
/**
 * The last JSON context read and its decoded form (handed out as copies). A route answers with the
 * same status and headers time after time, so most responses cost one byte comparison instead of
 * JSON.parse (1.9 % of rr's time on the hello benchmark); a different context costs a failed
 * comparison.
 */
let lastBytes: Buffer = Buffer.alloc(0);
let lastContext: ResponseContext | undefined;

/**
 * Reads a response frame's context: protobuf `http.v1.Response` when the frame carries the proto
 * codec, JSON otherwise (flags 0x00 and 0x08 alike). Undefined for an empty context.
 */
export function readResponseContext(p: Payload): ResponseContext | undefined {
  if (p.context.length === 0) return undefined;
  if (p.codec === 'proto') {
    try {
      return decodeProtoResponse(p.context);
    } catch (err) {
      throw new ResponseContextError(`cannot decode the protobuf response context (${p.context.length} bytes): ${(err as Error).message}`);
    }
  }
  const c = p.context;
  const bytes = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  if (lastContext !== undefined && bytes.equals(lastBytes)) return copyContext(lastContext);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ResponseContextError(`cannot decode the JSON response context (${p.context.length} bytes): ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object') throw new ResponseContextError('the JSON response context is not an object');
  const o = parsed as { status?: unknown; headers?: unknown };
  const ctx: ResponseContext = { status: typeof o.status === 'number' ? o.status : Number(o.status ?? 0), headers: normaliseHeaders(o.headers) };
  if (bytes.length <= CACHE_MAX_BYTES) {
    lastBytes = Buffer.from(bytes); // a copy: the frame's buffer is not ours to keep
    lastContext = copyContext(ctx);
  }
  return ctx;
}

/** Fresh objects and arrays: header lists end up in ServerResponse (setHeader/appendHeader may grow them). */
function copyContext(c: ResponseContext): ResponseContext {
  const headers: Record<string, string[]> = {};
  for (const name in c.headers) headers[name] = c.headers[name]!.slice();
  return { status: c.status, headers };
}

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
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(p.context.buffer, p.context.byteOffset, p.context.byteLength).toString('utf8'));
  } catch (err) {
    throw new ResponseContextError(`cannot decode the JSON response context (${p.context.length} bytes): ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object') throw new ResponseContextError('the JSON response context is not an object');
  const o = parsed as { status?: unknown; headers?: unknown };
  return { status: typeof o.status === 'number' ? o.status : Number(o.status ?? 0), headers: normaliseHeaders(o.headers) };
}

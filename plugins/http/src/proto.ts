import { createRequire } from 'node:module';
import type protobufNs from 'protobufjs';

// protobufjs is loaded and the messages built on first use, not on import, so rr pays for them only
// when the http plugin is used. A synchronous require keeps these functions synchronous (protobufjs is
// CommonJS: the same instance an `import` would give).
const requireLib = createRequire(import.meta.url);

/**
 * RoadRunner's `http.v1` messages (protocol.md §4.3), defined in code so no .proto file ships.
 * HeaderValue holds bytes: older DTOs declared `repeated string`, which is the same wire format.
 */
let types: { ResponseType: protobufNs.Type; RequestType: protobufNs.Type } | undefined;
function messages(): { ResponseType: protobufNs.Type; RequestType: protobufNs.Type } {
  if (types === undefined) {
    const protobuf = requireLib('protobufjs') as typeof protobufNs;
    const root = protobuf.Root.fromJSON(({
      nested: {
        http: {
          nested: {
            v1: {
              nested: {
                HeaderValue: { fields: { value: { rule: 'repeated', type: 'bytes', id: 1 } } },
                Request: {
                  fields: {
                    remote_addr: { type: 'string', id: 1 },
                    protocol: { type: 'string', id: 2 },
                    method: { type: 'string', id: 3 },
                    uri: { type: 'string', id: 4 },
                    header: { keyType: 'string', type: 'HeaderValue', id: 5 },
                    cookies: { keyType: 'string', type: 'HeaderValue', id: 6 },
                    raw_query: { type: 'string', id: 7 },
                    parsed: { type: 'bool', id: 8 },
                    uploads: { type: 'bytes', id: 9 },
                    attributes: { keyType: 'string', type: 'HeaderValue', id: 10 },
                  },
                },
                Response: {
                  fields: {
                    status: { type: 'int64', id: 1 },
                    headers: { keyType: 'string', type: 'HeaderValue', id: 2 },
                  },
                },
              },
            },
          },
        },
      },
    }) as protobufNs.INamespace);
    types = {
      ResponseType: root.lookupType('http.v1.Response'),
      RequestType: root.lookupType('http.v1.Request'),
    };
  }
  return types;
}

/** A response context: status and headers (names as the worker wrote them). */
export interface ResponseContext {
  status: number;
  headers: Record<string, string[]>;
}

interface DecodedResponse {
  status?: number | { toNumber(): number };
  headers?: Record<string, { value?: Uint8Array[] }>;
}

/** Decodes an `http.v1.Response`; throws on malformed bytes. */
export function decodeProtoResponse(bytes: Uint8Array): ResponseContext {
  const { ResponseType } = messages();
  const msg = ResponseType.decode(bytes) as unknown as DecodedResponse;
  const s = msg.status;
  const status = s === undefined ? 0 : typeof s === 'number' ? s : s.toNumber();
  const headers: Record<string, string[]> = {};
  if (msg.headers !== undefined) {
    for (const name of Object.keys(msg.headers)) {
      const values = msg.headers[name]?.value ?? [];
      if (values.length === 0) continue;
      headers[name] = values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8'));
    }
  }
  return { status, headers };
}

/** Encodes an `http.v1.Response` (tests and tools; the server only decodes them). */
export function encodeProtoResponse(ctx: ResponseContext): Uint8Array {
  const { ResponseType } = messages();
  const headers: Record<string, { value: Uint8Array[] }> = {};
  for (const [k, v] of Object.entries(ctx.headers)) headers[k] = { value: v.map((s) => Buffer.from(s)) };
  return ResponseType.encode(ResponseType.create({ status: ctx.status, headers })).finish();
}

/** The request context fields, as the JSON context carries them. */
export interface RequestFields {
  remoteAddr: string;
  protocol: string;
  method: string;
  uri: string;
  headers: Record<string, string[]>;
  cookies: Record<string, string>;
  rawQuery: string;
  parsed: boolean;
  uploads: unknown;
  attributes: Record<string, unknown> | null;
}

function hv(values: readonly string[]): { value: Uint8Array[] } {
  return { value: values.map((s) => Buffer.from(s)) };
}

/** Encodes an `http.v1.Request` from the same fields the JSON context has. */
export function encodeProtoRequest(f: RequestFields): Uint8Array {
  const { RequestType } = messages();
  const header: Record<string, { value: Uint8Array[] }> = {};
  for (const [k, v] of Object.entries(f.headers)) header[k] = hv(v);
  const cookies: Record<string, { value: Uint8Array[] }> = {};
  for (const [k, v] of Object.entries(f.cookies)) cookies[k] = hv([v]);
  const attributes: Record<string, { value: Uint8Array[] }> = {};
  for (const [k, v] of Object.entries(f.attributes ?? {})) attributes[k] = hv(Array.isArray(v) ? v.map(String) : [typeof v === 'string' ? v : JSON.stringify(v)]);
  return RequestType.encode(RequestType.create({
    remote_addr: f.remoteAddr, protocol: f.protocol, method: f.method, uri: f.uri, header, cookies,
    raw_query: f.rawQuery, parsed: f.parsed,
    ...(f.uploads === null || f.uploads === undefined ? {} : { uploads: Buffer.from(JSON.stringify(f.uploads)) }),
    attributes,
  })).finish();
}

/** Decodes an `http.v1.Request` (tests). */
export function decodeProtoRequest(bytes: Uint8Array): Record<string, unknown> {
  const { RequestType } = messages();
  return RequestType.toObject(RequestType.decode(bytes), { longs: Number, defaults: true }) as Record<string, unknown>;
}

import type { HttpRequest } from '@rr/http-api';
import { parseCookies } from './cookies.js';
import { canonicalHeaderName } from './header-name.js';
import type { RequestFields } from './proto.js';

const CRLF = /[\r\n]/g;

function stripCrlf(s: string): string {
  return s.includes('\r') || s.includes('\n') ? s.replace(CRLF, '') : s;
}

/**
 * The request-describing part of the context (everything but the body-derived `parsed`/`uploads`),
 * built as RoadRunner does (protocol.md §4.2): canonical header names from the raw header list
 * (repeated headers kept apart), `Host` and `Transfer-Encoding` left out, an absolute `uri`.
 */
export function describeRequest(req: HttpRequest, remoteAddr: string, tls: boolean, attributes: Record<string, unknown>): RequestFields {
  const raw = req.rawHeaders;
  const headers: Record<string, string[]> = {};
  let cookieLines: string[] | undefined;
  let host = '';
  const h2 = req.httpVersionMajor === 2;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (name.charCodeAt(0) === 0x3a /* ':' pseudo-header */) {
      if (name === ':authority') host = value;
      continue;
    }
    const canon = canonicalHeaderName(name);
    if (canon === 'Host') { host = value; continue; }
    if (canon === 'Transfer-Encoding') continue;
    if (canon === 'Cookie') (cookieLines ??= []).push(value);
    const list = headers[canon];
    if (list === undefined) headers[canon] = [value];
    // HTTP/2 splits Cookie into several fields; Go joins them back into one.
    else if (h2 && canon === 'Cookie') list[0] = `${list[0]}; ${value}`;
    else list.push(value);
  }
  const cookies: Record<string, string> = {};
  if (cookieLines !== undefined) parseCookies(cookieLines, cookies);

  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const absolute = target.startsWith('http://') || target.startsWith('https://');
  const uri = absolute ? target : `${tls ? 'https://' : 'http://'}${host}${target}`;
  let attrs: Record<string, unknown> | null = null;
  for (const _ in attributes) { attrs = attributes; break; }
  return {
    remoteAddr,
    protocol: h2 ? 'HTTP/2.0' : `HTTP/${req.httpVersion}`,
    method: req.method ?? 'GET',
    uri: stripCrlf(uri),
    headers,
    cookies,
    rawQuery: q < 0 ? '' : stripCrlf(target.slice(q + 1)),
    parsed: false,
    uploads: null,
    attributes: attrs,
  };
}

const str = JSON.stringify as (s: string) => string;

/**
 * The JSON context, keys in RoadRunner's order: byte for byte what `JSON.stringify(f)` gives. Written
 * out by hand because `JSON.stringify` takes its slow path on the whole object (headers and cookies
 * are dictionary-mode objects); strings still go through it, for the escaping. Returned as a string:
 * the pool encodes it straight into the request frame. Together ~1 µs of node's ~31 µs per hello
 * request.
 */
export function encodeJsonContext(f: RequestFields): string {
  let headers = '{';
  for (const name in f.headers) {
    const values = f.headers[name]!;
    if (headers.length > 1) headers += ',';
    headers += `${str(name)}:[`;
    for (let i = 0; i < values.length; i++) headers += i === 0 ? str(values[i]!) : `,${str(values[i]!)}`;
    headers += ']';
  }
  let cookies = '{';
  for (const name in f.cookies) {
    if (cookies.length > 1) cookies += ',';
    cookies += `${str(name)}:${str(f.cookies[name]!)}`;
  }
  return (
    `{"remoteAddr":${str(f.remoteAddr)},"protocol":${str(f.protocol)},"method":${str(f.method)},"uri":${str(f.uri)},` +
      `"headers":${headers}},"cookies":${cookies}},"rawQuery":${str(f.rawQuery)},"parsed":${f.parsed ? 'true' : 'false'}` +
      `${member('uploads', f.uploads)}${member('attributes', f.attributes)}}`
  );
}

/** `,"name":<json>` as JSON.stringify writes an object member (nothing for undefined). */
function member(name: string, value: unknown): string {
  if (value === undefined) return '';
  return value === null ? `,"${name}":null` : `,"${name}":${JSON.stringify(value)}`;
}

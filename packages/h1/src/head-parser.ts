/**
 * The request head of HTTP/1.0 and HTTP/1.1 (RFC 9112 §2–§6), parsed from bytes, for the native
 * HTTP/1 lane. Only what the lane serves itself is accepted; requests it leaves to node:http
 * (chunked bodies, `Expect`, `Upgrade`, CONNECT) are reported as `handoff`, malformed ones as errors.
 */

/** A head the lane can serve. */
export interface RequestHead {
  readonly method: string;
  readonly url: string;
  readonly versionMinor: 0 | 1;
  /** name, value, name, value… as received (node's `rawHeaders`). */
  readonly rawHeaders: string[];
  /** Lower-cased names, duplicates merged as node:http merges them. */
  readonly headers: Record<string, string | string[]>;
  /** Declared body length (0 without Content-Length). */
  readonly contentLength: number;
  /** The client wants the connection kept open after the response. */
  readonly keepAlive: boolean;
  /** Bytes of the head, blank line included. */
  readonly size: number;
}

export type HeadResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'head'; readonly head: RequestHead }
  | { readonly kind: 'handoff' }
  | { readonly kind: 'error'; readonly status: 400 | 431 | 505; readonly reason: string };

const INCOMPLETE: HeadResult = { kind: 'incomplete' };
const HANDOFF: HeadResult = { kind: 'handoff' };

// Headers node:http keeps only the first of (duplicates dropped); see IncomingMessage#_addHeaderLine.
const SINGLE = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
  'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag',
  'last-modified', 'server', 'age', 'expires',
]);

const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** Field values: visible characters, spaces, tabs and obs-text; no CR, LF or NUL (request smuggling). */
function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

function isTarget(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  return true;
}

const bad = (reason: string): HeadResult => ({ kind: 'error', status: 400, reason });

/**
 * Parses the head at the start of `buf`. `maxSize` bounds the head (node:http's maxHeaderSize,
 * answered with 431 when exceeded).
 */
export function parseHead(buf: Buffer, maxSize: number): HeadResult {
  // Leading empty lines before a request line are allowed (RFC 9112 §2.2). They count against
  // maxSize like the head itself: an endless stream of CRLFs must not grow the buffer forever.
  let start = 0;
  while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
  const end = buf.indexOf('\r\n\r\n', start, 'latin1');
  if (end < 0) {
    // + 3: the buffer may already hold three bytes of the final CRLF CRLF.
    if (buf.length > maxSize + 3) return { kind: 'error', status: 431, reason: 'request header fields too large' };
    // A bare LF never becomes a CRLF CRLF: answer now rather than wait for the read timeout (node says 400 too).
    if (hasBareLf(buf, start)) return bad('bare LF in request head');
    return INCOMPLETE;
  }
  if (end > maxSize) return { kind: 'error', status: 431, reason: 'request header fields too large' };
  const text = buf.toString('latin1', start, end);
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  const sp1 = text.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0 || sp2 > lineEnd) return bad('malformed request line');
  const method = text.slice(0, sp1);
  const url = text.slice(sp1 + 1, sp2);
  const version = text.slice(sp2 + 1, lineEnd);
  // CONNECT tunnels and the HTTP/2 preface (`PRI * HTTP/2.0`) are not HTTP/1 requests the lane serves.
  if (method === 'CONNECT' || method === 'PRI') return HANDOFF;
  if (!isToken(method)) return bad('invalid method');
  if (!isTarget(url)) return bad('invalid request target');
  let versionMinor: 0 | 1;
  if (version === 'HTTP/1.1') versionMinor = 1;
  else if (version === 'HTTP/1.0') versionMinor = 0;
  else if (/^HTTP\/\d\.\d$/.test(version)) return { kind: 'error', status: 505, reason: 'HTTP version not supported' };
  else return bad('malformed HTTP version');

  const rawHeaders: string[] = [];
  const headers: Record<string, string | string[]> = {};
  let contentLength = -1;
  let connection = '';
  let hasHost = false;
  let at = lineEnd + 2;
  while (at < text.length) {
    let next = text.indexOf('\r\n', at);
    if (next < 0) next = text.length;
    const colon = text.indexOf(':', at);
    if (colon < 0 || colon > next) {
      return bad(text.charCodeAt(at) === 0x20 || text.charCodeAt(at) === 0x09 ? 'obsolete line folding' : 'malformed header line');
    }
    const name = text.slice(at, colon);
    if (!isToken(name)) return bad('invalid header name');
    // Optional whitespace is SP and HTAB only (RFC 9110 §5.6.3); String#trim would also strip
    // control characters and NBSP, accepting values node rejects or changing them.
    let vs = colon + 1;
    let ve = next;
    while (vs < ve && isOws(text.charCodeAt(vs))) vs++;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    const value = text.slice(vs, ve);
    if (!isFieldValue(value)) return bad('invalid header value');
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    switch (key) {
      case 'content-length': {
        if (!/^\d{1,15}$/.test(value)) return bad('invalid Content-Length');
        const n = Number(value);
        if (contentLength >= 0 && contentLength !== n) return bad('conflicting Content-Length');
        contentLength = n;
        break;
      }
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        // Chunked bodies, 100-continue and protocol upgrades are node:http's business.
        return HANDOFF;
      case 'host':
        // RFC 9112 §3.2: more than one Host is a 400 (node keeps the first; Go rejects, as here).
        if (hasHost) return bad('more than one Host header');
        hasHost = true;
        break;
      case 'connection':
        connection = connection === '' ? value.toLowerCase() : `${connection}, ${value.toLowerCase()}`;
        break;
      default:
    }
    // Type checks, not `=== undefined`: `headers` is a plain object like node's, so names such as
    // `constructor` or `toString` find inherited members, which must be replaced, not joined to.
    const prev = headers[key];
    if (key === 'set-cookie') {
      if (Array.isArray(prev)) prev.push(value);
      else headers[key] = [value];
    } else if (typeof prev !== 'string') headers[key] = value;
    else if (key === 'cookie') headers[key] = `${prev}; ${value}`;
    else if (!SINGLE.has(key)) headers[key] = `${prev}, ${value}`;
    at = next + 2;
  }
  // RFC 9112 §3.2 (node and Go answer 400 as well).
  if (versionMinor === 1 && !hasHost) return bad('missing Host header');
  const keepAlive = versionMinor === 1 ? !hasToken(connection, 'close') : hasToken(connection, 'keep-alive');
  return {
    kind: 'head',
    head: { method, url, versionMinor, rawHeaders, headers, contentLength: contentLength < 0 ? 0 : contentLength, keepAlive, size: end + 4 },
  };
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function hasBareLf(buf: Buffer, from: number): boolean {
  for (let i = buf.indexOf(0x0a, from); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (i === 0 || buf[i - 1] !== 0x0d) return true;
  }
  return false;
}

function hasToken(list: string, token: string): boolean {
  if (list === '') return false;
  if (list === token) return true;
  for (const part of list.split(',')) if (part.trim() === token) return true;
  return false;
}

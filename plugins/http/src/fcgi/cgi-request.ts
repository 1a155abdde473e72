/**
 * FastCGI PARAMS (CGI/1.1 variables) → an HTTP/1.1 request head, mapped as Go's net/http/cgi does
 * for RoadRunner: REQUEST_METHOD, REQUEST_URI (else SCRIPT_NAME + PATH_INFO + QUERY_STRING),
 * HTTP_* → headers (`HTTP_X_FOO` → `X-FOO`; a repeated param stays a repeated header where Go
 * would keep the last), HTTP_HOST → Host,
 * CONTENT_TYPE, CONTENT_LENGTH (the body length), REMOTE_ADDR/REMOTE_PORT, HTTPS=on.
 */

export interface CgiRequest {
  readonly method: string;
  /** The request line and headers, ending with the blank line. */
  readonly head: Buffer;
  /** Bytes of STDIN that form the body (CONTENT_LENGTH; 0 when absent). */
  readonly contentLength: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly https: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_TARGET = /[\x00-\x20\x7f]/;
const BAD_VALUE = /[\x00\r\n]/;

/** Headers that describe the framing between rr and FastCGI client, not the client's request. */
const FRAMING = new Set(['CONTENT_LENGTH', 'TRANSFER_ENCODING']);

/** Builds the request, or returns why it cannot (answered 400). */
export function cgiToHttp(pairs: ReadonlyArray<readonly [string, string]>): CgiRequest | string {
  const p = new Map<string, string>();
  // A variable sent twice: the last one counts (Go reads params into a map); HTTP_* headers are
  // the exception below, each occurrence becomes a header line.
  for (const [k, v] of pairs) p.set(k, v);

  const method = p.get('REQUEST_METHOD') || 'GET';
  if (!TOKEN.test(method)) return `invalid REQUEST_METHOD ${JSON.stringify(method)}`;

  let target = p.get('REQUEST_URI') ?? '';
  if (target === '') {
    const query = p.get('QUERY_STRING') ?? '';
    target = `${p.get('SCRIPT_NAME') ?? ''}${p.get('PATH_INFO') ?? ''}${query === '' ? '' : `?${query}`}`;
  }
  if (target === '') target = '/';
  if (BAD_TARGET.test(target)) return 'invalid REQUEST_URI (control characters or spaces)';

  const lengthText = p.get('CONTENT_LENGTH') ?? '';
  if (lengthText !== '' && !/^\d{1,15}$/.test(lengthText)) return `invalid CONTENT_LENGTH ${JSON.stringify(lengthText)}`;
  const contentLength = lengthText === '' ? 0 : Number(lengthText);

  const version = p.get('SERVER_PROTOCOL') === 'HTTP/1.0' ? 'HTTP/1.0' : 'HTTP/1.1';
  let head = `${method} ${target} ${version}\r\n`;
  const host = p.get('HTTP_HOST');
  if (host !== undefined) {
    if (BAD_VALUE.test(host)) return 'invalid HTTP_HOST';
    head += `Host: ${host}\r\n`;
  }
  const contentType = p.get('CONTENT_TYPE') ?? '';
  for (const [k, v] of pairs) {
    if (!k.startsWith('HTTP_') || k === 'HTTP_HOST') continue;
    const suffix = k.slice(5);
    if (FRAMING.has(suffix) || (suffix === 'CONTENT_TYPE' && contentType !== '')) continue;
    const name = suffix.replace(/_/g, '-');
    if (!TOKEN.test(name)) continue;
    if (BAD_VALUE.test(v)) return `invalid value of ${k}`;
    head += `${name}: ${v}\r\n`;
  }
  if (contentType !== '') {
    if (BAD_VALUE.test(contentType)) return 'invalid CONTENT_TYPE';
    head += `Content-Type: ${contentType}\r\n`;
  }
  if (lengthText !== '') head += `Content-Length: ${contentLength}\r\n`;
  head += '\r\n';

  const port = Number(p.get('REMOTE_PORT') ?? '');
  const https = (p.get('HTTPS') ?? '').toLowerCase() === 'on';
  return {
    method,
    head: Buffer.from(head, 'latin1'),
    contentLength,
    remoteAddress: p.get('REMOTE_ADDR') ?? '',
    remotePort: Number.isInteger(port) && port > 0 && port < 65536 ? port : 0,
    https,
  };
}

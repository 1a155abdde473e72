import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHead, type HeadResult } from './head-parser.js';
import type { LeanRequest } from './lean-request.js';
import { RawClient, closeAll, startLane } from '../test/harness.js';

afterEach(closeAll);

const MAX = 16 * 1024;
const parse = (head: string, max = MAX): HeadResult => parseHead(Buffer.from(head, 'latin1'), max);
const req = (lines: string[], line = 'GET / HTTP/1.1'): string => `${[line, ...lines].join('\r\n')}\r\n\r\n`;
const host = 'Host: example.test';

function headOf(r: HeadResult) {
  if (r.kind !== 'head') throw new Error(`expected a head, got ${JSON.stringify(r)}`);
  return r.head;
}

describe('parseHead: accepted heads', () => {
  it('reads method, target, version, headers and the head size', () => {
    const text = req([host, 'X-A: 1'], 'POST /a/b?c=d HTTP/1.1');
    const h = headOf(parse(`${text}body`));
    expect(h).toMatchObject({ method: 'POST', url: '/a/b?c=d', versionMinor: 1, contentLength: 0, keepAlive: true, size: text.length });
    expect(h.rawHeaders).toEqual(['Host', 'example.test', 'X-A', '1']);
    expect(h.headers).toEqual({ host: 'example.test', 'x-a': '1' });
  });

  it('skips empty lines before the request line (RFC 9112 §2.2); they count in the size', () => {
    const text = `\r\n\r\n${req([host])}`;
    expect(headOf(parse(text))).toMatchObject({ method: 'GET', size: text.length });
  });

  it.each([
    ['HTTP/1.1 by default', req([host]), true],
    ['HTTP/1.1 Connection: close', req([host, 'Connection: close']), false],
    ['HTTP/1.1 close among other tokens, any case', req([host, 'Connection: Upgrade-Insecure, CLOSE']), false],
    ['HTTP/1.1 close on a second Connection line', req([host, 'Connection: foo', 'Connection: close']), false],
    ['HTTP/1.0 by default', req([], 'GET / HTTP/1.0'), false],
    ['HTTP/1.0 Connection: keep-alive', req(['Connection: Keep-Alive'], 'GET / HTTP/1.0'), true],
  ])('keep-alive: %s', (_what, text, keepAlive) => {
    expect(headOf(parse(text)).keepAlive).toBe(keepAlive);
  });

  it('trims only SP and HTAB around values; keeps obs-text and empty values', () => {
    const h = headOf(parse(req([host, 'X-Ows: \t a  b \t', 'X-Latin: caf\xe9', 'X-Empty:', 'X-Nbsp: \xa0v\xa0'])));
    expect(h.headers['x-ows']).toBe('a  b');
    expect(h.headers['x-latin']).toBe('caf\xe9');
    expect(h.headers['x-empty']).toBe('');
    expect(h.headers['x-nbsp']).toBe('\xa0v\xa0');
  });

  it('Content-Length: the declared length; identical duplicates are one length', () => {
    expect(headOf(parse(req([host, 'Content-Length: 42']))).contentLength).toBe(42);
    expect(headOf(parse(req([host, 'Content-Length: 7', 'content-length: 7']))).contentLength).toBe(7);
    expect(headOf(parse(req([host, 'Content-Length: 007']))).contentLength).toBe(7);
  });

  it('every proper prefix of a head is incomplete, the whole head parses', () => {
    const text = `\r\n${req([host, 'X-A: 1', 'Content-Length: 3'], 'PUT /p HTTP/1.1')}`;
    for (let i = 0; i < text.length; i++) expect(parse(text.slice(0, i)).kind, `prefix ${i}`).toBe('incomplete');
    expect(headOf(parse(text)).contentLength).toBe(3);
  });
});

describe('parseHead: errors', () => {
  it.each([
    ['no target and version (HTTP/0.9)', 'GET /\r\n\r\n'],
    ['a request line without spaces', 'GET\r\nHost: a b\r\n\r\n'],
    ['an empty target (two spaces)', req([host], 'GET  / HTTP/1.1')],
    ['a method with a non-token character', req([host], 'G@T / HTTP/1.1')],
    ['a space inside the target', req([host], 'GET /a b HTTP/1.1')],
    ['a control character in the target', req([host], 'GET /\x7f HTTP/1.1')],
    ['a trailing space after the version', req([host], 'GET / HTTP/1.1 ')],
    ['a lower-case version', req([host], 'GET / http/1.1')],
    ['a version without minor', req([host], 'GET / HTTP/1')],
    ['whitespace between name and colon', req(['Host : a'])],
    ['an empty header name', req([host, ': a'])],
    ['a non-token header name', req([host, 'X(A): 1'])],
    ['a line without a colon', req([host, 'NoColon'])],
    ['obs-fold with a space', req([host, 'X-A: a', ' b'])],
    ['obs-fold with a tab', req([host, 'X-A: a', '\tb'])],
    ['obs-fold that looks like a header', req([host, 'X-A: a', ' X-B: b'])],
    ['NUL in a value', req([host, 'X-A: a\x00b'])],
    ['DEL in a value', req([host, 'X-A: a\x7fb'])],
    ['a bare CR in a value', req([host, 'X-A: a\rb'])],
    ['a bare LF in a value', req([host, 'X-A: a\nb'])],
    ['a control character at the edge of a value', req([host, 'X-A: \x0bv'])],
    ['a non-numeric Content-Length', req([host, 'Content-Length: abc'])],
    ['a negative Content-Length', req([host, 'Content-Length: -1'])],
    ['a signed Content-Length', req([host, 'Content-Length: +5'])],
    ['a list in Content-Length', req([host, 'Content-Length: 1, 1'])],
    ['an empty Content-Length', req([host, 'Content-Length:'])],
    ['a 16-digit Content-Length', req([host, 'Content-Length: 1234567890123456'])],
    ['conflicting Content-Length', req([host, 'Content-Length: 5', 'Content-Length: 6'])],
    ['HTTP/1.1 without Host', req(['X-A: 1'])],
    ['two Host lines', req([host, 'Host: other.test'])],
    ['a head of bare LFs (incomplete, but can never end)', 'GET / HTTP/1.1\nHost: a\n\n'],
  ])('400 for %s', (_what, text) => {
    expect(parse(text)).toMatchObject({ kind: 'error', status: 400 });
  });

  it.each(['HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9', 'HTTP/3.0'])('505 for %s', (version) => {
    expect(parse(req([host], `GET / ${version}`))).toMatchObject({ kind: 'error', status: 505 });
  });

  it('431 when the head is over maxHeaderSize, complete or not', () => {
    const long = req([host, `X-Big: ${'a'.repeat(200)}`]);
    expect(parse(long, 100)).toMatchObject({ kind: 'error', status: 431 });
    expect(parse(long.slice(0, 150), 100)).toMatchObject({ kind: 'error', status: 431 });
    expect(headOf(parse(long, long.length)).method).toBe('GET');
    // Up to the last byte before the blank line the head may still fit: no early 431.
    expect(parse(long.slice(0, -1), long.length - 4).kind).toBe('incomplete');
  });

  it('431 for an endless run of empty lines before the request line', () => {
    expect(parse('\r\n'.repeat(60), 100)).toMatchObject({ kind: 'error', status: 431 });
  });
});

describe('parseHead: handoff to node:http', () => {
  it.each([
    ['chunked body', req([host, 'Transfer-Encoding: chunked'], 'POST / HTTP/1.1')],
    ['any Transfer-Encoding', req([host, 'Transfer-Encoding: gzip, chunked'], 'POST / HTTP/1.1')],
    ['Transfer-Encoding on HTTP/1.0', req(['Transfer-Encoding: chunked'], 'POST / HTTP/1.0')],
    ['Expect: 100-continue', req([host, 'Expect: 100-continue', 'Content-Length: 3'], 'POST / HTTP/1.1')],
    ['Upgrade', req([host, 'Connection: Upgrade', 'Upgrade: websocket'])],
    ['CONNECT', req(['Host: example.test:443'], 'CONNECT example.test:443 HTTP/1.1')],
    ['the HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ])('%s', (_what, text) => {
    expect(parse(text).kind).toBe('handoff');
  });
});

describe('header merging matches node:http', () => {
  const cases: Array<[string, string[]]> = [
    ['cookie joined with "; "', ['Cookie: a=1', 'cookie: b=2']],
    ['set-cookie as an array', ['Set-Cookie: a=1', 'set-cookie: b=2', 'SET-COOKIE: c=3']],
    ['a single set-cookie is still an array', ['Set-Cookie: a=1']],
    ['singletons keep the first', ['Content-Type: text/a', 'Content-Type: text/b', 'User-Agent: one', 'User-Agent: two', 'Authorization: x', 'Authorization: y',
      'Referer: /1', 'Referer: /2', 'If-Modified-Since: a', 'If-Modified-Since: b', 'Max-Forwards: 1', 'Max-Forwards: 2', 'From: a', 'From: b']],
    ['other duplicates joined with ", "', ['Accept: a', 'accept: b', 'X-Multi: 1', 'X-MULTI: 2', 'X-Multi: 3']],
    ['names that are Object.prototype members', ['Constructor: x', 'toString: y', 'hasOwnProperty: z', 'valueOf: v', 'valueOf: w']],
    ['__proto__ is dropped as node drops it', ['__proto__: p', 'X-After: 1']],
    ['values trimmed like node', ['X-Ows: \t a b \t', 'X-Empty:']],
  ];

  it.each(cases)('%s', async (_what, lines) => {
    const text = req([host, ...lines]);
    const seen: Array<{ headers: IncomingHttpHeaders | LeanRequest['headers']; raw: string[] }> = [];
    const node = createServer((r, res) => {
      seen[0] = { headers: r.headers, raw: r.rawHeaders };
      res.end();
    });
    await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
    try {
      const lane = await startLane((r, res) => {
        seen[1] = { headers: r.headers, raw: r.rawHeaders };
        res.end();
      });
      for (const port of [(node.address() as AddressInfo).port, lane.port]) {
        const c = await RawClient.connect(port);
        await c.send(text);
        await c.responses(1);
      }
      expect(seen[1]!.headers).toEqual(seen[0]!.headers);
      expect(Object.getPrototypeOf(seen[1]!.headers)).toBe(Object.getPrototypeOf(seen[0]!.headers));
      expect(seen[1]!.raw).toEqual(seen[0]!.raw);
    } finally {
      node.closeAllConnections();
      await new Promise((resolve) => node.close(resolve));
    }
  });
});

describe('malformed requests on the wire', () => {
  const answer = (status: string): string =>
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`;

  it.each([
    ['400 Bad Request', req(['Host : a'])],
    ['505 HTTP Version Not Supported', req([host], 'GET / HTTP/2.0')],
    ['431 Request Header Fields Too Large', req([host, `X-Big: ${'a'.repeat(300)}`])],
  ])('%s: Go\'s plain-text answer, then the connection closes; the handler never runs', async (status, text) => {
    let calls = 0;
    const lane = await startLane((_r, res) => {
      calls++;
      res.end();
    }, { maxHeaderSize: 256 });
    const c = await RawClient.connect(lane.port);
    await c.send(text);
    await c.closed;
    expect(c.text).toBe(answer(status));
    expect(calls).toBe(0);
  });

  it('431 for a head that never ends, as soon as it is over the limit', async () => {
    const lane = await startLane((_r, res) => res.end(), { maxHeaderSize: 256 });
    const c = await RawClient.connect(lane.port);
    await c.send(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(400)}`);
    await c.closed;
    expect(c.text).toBe(answer('431 Request Header Fields Too Large'));
  });

  it('431 for a flood of empty lines instead of buffering them', async () => {
    const lane = await startLane((_r, res) => res.end(), { maxHeaderSize: 256 });
    const c = await RawClient.connect(lane.port);
    await c.send('\r\n'.repeat(200));
    await c.closed;
    expect(c.text).toBe(answer('431 Request Header Fields Too Large'));
   }, 5000);

  it('a good request is answered before a malformed one behind it closes the connection', async () => {
    const lane = await startLane((r, res) => res.end(r.url));
    const c = await RawClient.connect(lane.port);
    await c.send(`${req([host], 'GET /ok HTTP/1.1')}${req(['Bad Header: 1'])}`);
    const all = await c.closeAndResponses();
    expect(all.map((r) => [r.status, r.body.toString()])).toEqual([[200, '/ok'], [400, '400 Bad Request']]);
  });
});

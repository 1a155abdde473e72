import { describe, expect, it } from 'vitest';
import type { RequestFields } from './proto.js';
import { encodeJsonContext } from './request-context.js';

function fields(over: Partial<RequestFields> = {}): RequestFields {
  return {
    remoteAddr: '127.0.0.1',
    protocol: 'HTTP/1.1',
    method: 'GET',
    uri: 'http://example.test/path?q=1',
    headers: {},
    cookies: {},
    rawQuery: 'q=1',
    parsed: false,
    uploads: null,
    attributes: null,
    ...over,
  };
}

// The hand-written encoder must give JSON.stringify's bytes for every shape the context can take.
describe('encodeJsonContext', () => {
  const cases: Array<[string, RequestFields]> = [
    ['empty headers and cookies (wrk, curl)', fields()],
    ['one header', fields({ headers: { 'User-Agent': ['curl/8.0'] } })],
    ['repeated headers kept apart, in order', fields({ headers: { Accept: ['text/html', 'application/json'], 'X-A': ['1'], 'X-B': ['2', '3', '4'] } })],
    ['an empty header value and an empty list', fields({ headers: { 'X-Empty': [''], 'X-None': [] } })],
    ['quotes, backslashes, control characters', fields({ uri: 'http://h/"a"\\b', headers: { 'X-Q': ['say "hi"\\\u0001\t\n'] }, rawQuery: 'a="b"' })],
    ['unicode, U+2028, a lone surrogate', fields({ headers: { 'X-U': ['żółw 🐢 \u2028 \ud800'] }, cookies: { 'n\u00e4me': 'v\udfff' } })],
    ['cookies', fields({ cookies: { session: 'abc', theme: 'dark; x' } })],
    ['integer-like header and cookie names', fields({ headers: { '123': ['x'], 'X-Z': ['y'] }, cookies: { '7': 'seven', a: 'b' } })],
    ['parsed with uploads', fields({ method: 'POST', parsed: true, uploads: { file: [{ name: 'a.txt', size: 3, error: 0, tmpName: '/tmp/x' }] } })],
    ['attributes', fields({ attributes: { user: { id: 7 }, tags: ['a', 'b'] } })],
    ['uploads left undefined (omitted, as JSON.stringify does)', fields({ uploads: undefined })],
    ['HTTP/2 and an IPv6 peer', fields({ protocol: 'HTTP/2.0', remoteAddr: '::1' })],
  ];
  it.each(cases)('%s', (_name, f) => {
    const got = encodeJsonContext(f);
    expect(got).toBe(JSON.stringify(f));
    expect(JSON.parse(got)).toEqual(JSON.parse(JSON.stringify(f)));
  });
});

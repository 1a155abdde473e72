import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { poolConfigSchema } from '@rr/pool-api';
import { parseCookies } from './cookies.js';
import { canonicalHeaderName } from './header-name.js';
import { parseMultipart } from './multipart.js';
import { decodeProtoResponse, encodeProtoResponse } from './proto.js';
import { peerAddress, stripPort } from './remote-addr.js';
import { sniffContentType } from './sniff.js';

describe('schema.json', () => {
  it('embeds the pool block of @rr/pool-api unchanged', () => {
    const schema = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as { properties: Record<string, unknown> };
    expect(schema.properties['pool']).toEqual(JSON.parse(JSON.stringify(poolConfigSchema)));
    for (const key of ['address', 'static', 'headers', 'uploads', 'ssl', 'http2', 'http3', 'fcgi', 'trusted_subnets', 'middleware', 'max_request_size', 'raw_body', 'access_logs', 'internal_error_code']) {
      expect(schema.properties[key], key).toBeDefined();
    }
  });
});

describe('header names', () => {
  it('canonicalises as Go does', () => {
    expect(canonicalHeaderName('x-forwarded-for')).toBe('X-Forwarded-For');
    expect(canonicalHeaderName('DNT')).toBe('Dnt');
    expect(canonicalHeaderName('www-authenticate')).toBe('Www-Authenticate');
    expect(canonicalHeaderName('bad header')).toBe('bad header');
  });
});

describe('cookies', () => {
  it('drops invalid names and values and unescapes the rest', () => {
    const c: Record<string, string> = {};
    parseCookies(['a=1; b="q"; c=%41+b; d=%zz; e f=1; g=x"y', 'a=2'], c);
    expect(c).toEqual({ a: '2', b: 'q', c: 'A b' });
  });
});

describe('remote address', () => {
  it('strips ports and maps IPv4-in-IPv6', () => {
    expect(stripPort('127.0.0.1:5000')).toBe('127.0.0.1');
    expect(stripPort('[::1]:5000')).toBe('::1');
    expect(stripPort('::1')).toBe('::1');
    expect(stripPort('10.0.0.1')).toBe('10.0.0.1');
    expect(peerAddress('::ffff:127.0.0.1', 80)).toBe('127.0.0.1:80');
    expect(peerAddress('::1', 80)).toBe('[::1]:80');
  });
});

describe('protobuf response', () => {
  it('decodes the spec example (33 bytes) and round-trips', () => {
    const bytes = Buffer.from('08c801121c0a0c436f6e74656e742d54797065120c0a0a746578742f706c61696e', 'hex');
    expect(decodeProtoResponse(bytes)).toEqual({ status: 200, headers: { 'Content-Type': ['text/plain'] } });
    expect(Buffer.from(encodeProtoResponse({ status: 200, headers: { 'Content-Type': ['text/plain'] } })).toString('hex')).toBe(bytes.toString('hex'));
  });
});

describe('multipart', () => {
  it('parses fields and files, quoted names and filename*', () => {
    const body = Buffer.from([
      '--XX', 'Content-Disposition: form-data; name="a"', '', 'one',
      '--XX', 'Content-Disposition: form-data; name="f"; filename="x \\"q\\".txt"', 'Content-Type: text/plain', '', 'file\r\nbody',
      '--XX', "Content-Disposition: form-data; name=\"g\"; filename*=UTF-8''%C3%A9.txt", '', '',
      '--XX--', '',
    ].join('\r\n'));
    const parts = parseMultipart(body, 'XX');
    expect(parts.map((p) => [p.name, p.filename, p.contentType, p.data.toString()])).toEqual([
      ['a', undefined, '', 'one'], ['f', 'x "q".txt', 'text/plain', 'file\r\nbody'], ['g', 'é.txt', '', ''],
    ]);
  });
});

describe('sniffing', () => {
  it('recognises html, text and binary', () => {
    expect(sniffContentType(Buffer.from('  <!DOCTYPE html><p>'))).toBe('text/html; charset=utf-8');
    expect(sniffContentType(Buffer.from('hello'))).toBe('text/plain; charset=utf-8');
    expect(sniffContentType(Buffer.from([0, 1, 2]))).toBe('application/octet-stream');
  });
});

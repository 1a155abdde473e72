import { describe, expect, it } from 'vitest';
import { cgiToHttp } from './cgi-request.js';
import { FcgiProtocolError, RecordReader, RecordType, decodePairs, encodePairs, encodeRecord, encodeStream, type FcgiRecord } from './records.js';

describe('FastCGI records', () => {
  it('name-value pairs use 1-byte lengths under 128 and 4-byte lengths (high bit set) from 128', () => {
    const long = 'v'.repeat(200);
    const bytes = encodePairs([['A', 'b'], ['LONG', long], ['K'.repeat(130), '']]);
    expect([...bytes.subarray(0, 4)]).toEqual([1, 1, 0x41, 0x62]);
    expect([...bytes.subarray(4, 9)]).toEqual([4, 0x80, 0, 0, 200]);
    expect(decodePairs(bytes)).toEqual([['A', 'b'], ['LONG', long], ['K'.repeat(130), '']]);
    expect(() => decodePairs(bytes.subarray(0, bytes.length - 1))).toThrow(FcgiProtocolError);
  });

  it('records are padded to 8 bytes and read back across arbitrary chunk boundaries', () => {
    const data = Buffer.alloc(70_000, 7);
    const wire = Buffer.concat([encodeStream(RecordType.STDOUT, 3, data), encodeRecord(RecordType.STDOUT, 3)]);
    expect(wire.length % 8).toBe(0);
    const got: FcgiRecord[] = [];
    const reader = new RecordReader((r) => got.push({ ...r, content: Buffer.from(r.content) }));
    for (let off = 0; off < wire.length; off += 5) reader.push(wire.subarray(off, off + 5));
    expect(got.map((r) => [r.type, r.requestId, r.content.length])).toEqual([[6, 3, 65535], [6, 3, 70_000 - 65535], [6, 3, 0]]);
    expect(() => new RecordReader(() => undefined).push(Buffer.from([2, 1, 0, 1, 0, 0, 0, 0]))).toThrow(/version 2/);
  });

  it('CGI params map to an HTTP/1.1 head without injection', () => {
    const r = cgiToHttp([['REQUEST_METHOD', 'PUT'], ['REQUEST_URI', '/a?b'], ['HTTP_HOST', 'h'], ['HTTP_X_A', '1'], ['HTTP_CONTENT_TYPE', 'dup'], ['CONTENT_TYPE', 'text/plain'], ['CONTENT_LENGTH', '3'], ['HTTP_TRANSFER_ENCODING', 'chunked']]);
    expect(typeof r).toBe('object');
    if (typeof r === 'string') return;
    expect(r.head.toString()).toBe('PUT /a?b HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n');
    expect(cgiToHttp([['REQUEST_URI', '/ HTTP/1.1\r\nX-Evil: 1']])).toMatch(/REQUEST_URI/);
    expect(cgiToHttp([['HTTP_X_A', 'a\r\nX-Evil: 1']])).toMatch(/HTTP_X_A/);
    expect(cgiToHttp([['REQUEST_METHOD', 'G T']])).toMatch(/REQUEST_METHOD/);
    expect(cgiToHttp([['CONTENT_LENGTH', '-1']])).toMatch(/CONTENT_LENGTH/);
  });
});

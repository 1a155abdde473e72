import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dialAddress, formatRelayDsn, parseRelayDsn, parseSocketDsn } from './dsn.js';

describe('parseRelayDsn', () => {
  it.each([
    ['pipes', { kind: 'pipes' }],
    ['', { kind: 'pipes' }],
    ['tcp://127.0.0.1:7000', { kind: 'tcp', host: '127.0.0.1', port: 7000 }],
    ['tcp://:6001', { kind: 'tcp', host: '0.0.0.0', port: 6001 }],
    ['tcp://localhost:0', { kind: 'tcp', host: 'localhost', port: 0 }],
    ['tcp://[::1]:9000', { kind: 'tcp', host: '::1', port: 9000 }],
    ['unix:///tmp/rr.sock', { kind: 'unix', path: '/tmp/rr.sock' }],
    ['unix://rr.sock', { kind: 'unix', path: 'rr.sock' }],
  ])('parses %j', (input, expected) => {
    expect(parseRelayDsn(input)).toEqual(expected);
  });

  it.each([
    ['file.sock', 'expected "pipes"'],
    ['http://127.0.0.1:80', 'unsupported scheme "http"'],
    ['tcp://127.0.0.1', 'the port is missing'],
    ['tcp://127.0.0.1:99999', 'not a number 0..65535'],
    ['tcp://127.0.0.1:abc', 'not a number'],
    ['tcp://::1:80', 'brackets'],
    ['unix://', 'path is empty'],
  ])('rejects %j with RoadRunner\'s wording and a hint', (input, why) => {
    try {
      parseRelayDsn(input);
      expect.fail('should throw');
    } catch (err) {
      const e = err as { code: string; message: string };
      expect(e.code).toBe('RR_ERR_GORIDGE_DSN');
      expect(e.message).toContain('invalid DSN (tcp://:6001, unix://file.sock)');
      expect(e.message).toContain(`"${input}"`);
      expect(e.message).toContain(why);
    }
  });

  it('parseSocketDsn refuses pipes', () => {
    expect(() => parseSocketDsn('pipes')).toThrow(/a socket address is required/);
  });

  it('formats back and gives workers a dialable address', () => {
    expect(formatRelayDsn(parseRelayDsn('tcp://[::1]:9000'))).toBe('tcp://[::1]:9000');
    expect(dialAddress(parseSocketDsn('tcp://:6001'))).toBe('tcp://127.0.0.1:6001');
    expect(dialAddress(parseSocketDsn('tcp://10.1.2.3:6001'))).toBe('tcp://10.1.2.3:6001');
    expect(dialAddress(parseSocketDsn('unix://rr.sock'))).toBe(`unix://${resolve('rr.sock')}`);
    expect(dialAddress(parseSocketDsn('unix:///run/rr.sock'))).toBe('unix:///run/rr.sock');
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '@rr/plugin-api';
import { compileRpcConfig, isLoopbackHost } from './config.js';

const view = { workDir: '/srv/app' };

describe('compileRpcConfig', () => {
  it('defaults to loopback 127.0.0.1:6001, also for an empty listen', () => {
    for (const raw of [{}, { listen: '' }, null]) {
      expect(compileRpcConfig(raw, view)).toMatchObject({ listen: 'tcp://127.0.0.1:6001', address: { kind: 'tcp', host: '127.0.0.1', port: 6001 } });
    }
  });

  it('reads tcp with an empty host as every IPv4 interface, and bracketed IPv6', () => {
    expect(compileRpcConfig({ listen: 'tcp://:6001' }, view).address).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 6001 });
    expect(compileRpcConfig({ listen: 'tcp://[::1]:7000' }, view).address).toEqual({ kind: 'tcp', host: '::1', port: 7000 });
  });

  it('makes a relative unix path absolute against the config directory', () => {
    expect(compileRpcConfig({ listen: 'unix://rr.sock' }, view).address).toEqual({ kind: 'unix', path: '/srv/app/rr.sock' });
    expect(compileRpcConfig({ listen: 'unix:///run/rr.sock' }, view).address).toEqual({ kind: 'unix', path: '/run/rr.sock' });
  });

  it('rejects a DSN without :// with RoadRunner\'s wording, naming the key', () => {
    const err = (() => { try { compileRpcConfig({ listen: ':6001' }, view); } catch (e) { return e; } return undefined; })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('listen');
    expect((err as ConfigError).expected).toContain('invalid socket DSN (tcp://:6001, unix://file.sock)');
  });

  it('rejects other schemes and bad ports', () => {
    expect(() => compileRpcConfig({ listen: 'http://127.0.0.1:6001' }, view)).toThrow(ConfigError);
    expect(() => compileRpcConfig({ listen: 'tcp://127.0.0.1:99999' }, view)).toThrow(ConfigError);
  });

  it('parses the unix socket mode as octal', () => {
    expect(compileRpcConfig({ listen: 'unix:///x.sock', unix_socket: { mode: '0660', gid: 5 } }, view).unixSocket).toEqual({ mode: 0o660, gid: 5 });
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) expect(isLoopbackHost(h)).toBe(false);
  });
});

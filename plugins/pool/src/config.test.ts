import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@rr/plugin-api';
import { compileServerConfig, lookupUser } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'rr-pool-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('compileServerConfig', () => {
  it('fills defaults', () => {
    const c = compileServerConfig({ command: 'php worker.php' });
    expect(c).toEqual({ command: ['php', 'worker.php'], env: {}, relay: 'pipes', relayDsn: { kind: 'pipes' } });
  });

  it('parses relays, env and on_init', () => {
    const c = compileServerConfig({
      command: ['php', 'w.php'],
      relay: 'tcp://127.0.0.1:7000',
      env: { app_mode: '$MODE' },
      on_init: { command: 'php migrate.php', exec_timeout: '5s', exit_on_error: true, env: { step: 'init' } },
      relay_timeout: '10s',
    }, undefined, { MODE: 'prod' });
    expect(c.relayDsn).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 7000 });
    expect(c.env).toEqual({ APP_MODE: 'prod' });
    expect(c.onInit).toEqual({ command: ['php', 'migrate.php'], execTimeoutMs: 5_000, exitOnError: true, env: { STEP: 'init' } });
  });

  it('rejects an empty command with RoadRunner\'s words', () => {
    const e = configError(() => compileServerConfig({ command: '' }));
    expect(e.path).toBe('command');
    expect(e.message).toContain('command should not be empty');
  });

  it('rejects a relay that is not pipes, tcp:// or unix://', () => {
    expect(configError(() => compileServerConfig({ command: 'php w.php', relay: 'udp://1.2.3.4:5' })).path).toBe('relay');
  });

  it('rejects an unknown user', () => {
    const e = configError(() => compileServerConfig({ command: 'php w.php', user: 'no-such-user-rr' }));
    expect(e.path).toBe('user');
    expect(e.message).toContain('no "no-such-user-rr"');
  });
});

describe('lookupUser', () => {
  it('reads uid and the primary gid from a passwd file', () => {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:34:www-data:/var/www:/usr/sbin/nologin\n');
    if (process.getuid?.() === 0) expect(lookupUser('www-data', 'user', passwd)).toEqual({ name: 'www-data', uid: 33, gid: 34 });
    else expect(() => lookupUser('www-data', 'user', passwd)).toThrow(/needs rr to run as root/);
  });
});

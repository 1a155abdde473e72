import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coerceAndValidate, validateSection } from '@rr/kernel';
import { compilePoolConfig, poolConfigSchema } from '@rr/pool-api';
import { compileServerConfig } from '../src/config.js';

const serverSchema = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as object;
const poolSection = { type: 'object', properties: { pool: poolConfigSchema } };

function problems(section: string, schema: object, value: unknown): string[] {
  return validateSection({ section, schema, value, file: undefined }).map((p) => `${p.path}: ${p.expected}`);
}

describe('server schema.json', () => {
  it('accepts RoadRunner sections, including legacy keys it ignores', () => {
    expect(problems('server', serverSchema, {
      command: 'php worker.php', relay: 'pipes', relay_timeout: '60s', env: { A: 1, B: 'x' }, user: 'www-data', group: 'www-data',
      on_init: { command: ['php', 'init.php'], exec_timeout: '10s', exit_on_error: true, env: { X: 'y' } },
    })).toEqual([]);
  });

  it('requires a command and rejects unknown keys and bad durations', () => {
    expect(problems('server', serverSchema, { relay: 'pipes' }).join('\n')).toContain('command');
    expect(problems('server', serverSchema, { command: 'php w.php', comand: 'typo' }).join('\n')).toContain('server.comand');
    expect(problems('server', serverSchema, { command: 'php w.php', on_init: { command: 'x', exec_timeout: '60' } }).join('\n')).toContain('server.on_init.exec_timeout');
  });

  it('compiles what -o gives (strings) the way YAML gives it', () => {
    const { value } = coerceAndValidate({ section: 'server', schema: serverSchema, value: { command: 'php,worker.php', on_init: { command: 'php init.php', exit_on_error: 'true' } }, file: undefined });
    const c = compileServerConfig(value);
    expect(c.command).toEqual(['php', 'worker.php']);
    expect(c.onInit?.exitOnError).toBe(true);
  });
});

describe('common pool block (@rr/pool-api)', () => {
  it('accepts Go durations including "0", fractions and bare nanoseconds; rejects a unitless string', () => {
    expect(problems('http', poolSection, { pool: { allocate_timeout: '1.5s', supervisor: { exec_ttl: '0', ttl: 0, idle_ttl: '.5s' }, reset_timeout: 60_000_000_000 } })).toEqual([]);
    expect(problems('http', poolSection, { pool: { allocate_timeout: '60' } }).join('\n')).toContain('http.pool.allocate_timeout');
  });

  it('compiles defaults, durations and the command like server.command', () => {
    const c = compilePoolConfig({ command: '/usr/bin/php,/app/worker', allocate_timeout: '1.5s', supervisor: { exec_ttl: '30s' } }, 'http.pool', 4);
    expect(c).toMatchObject({
      command: ['/usr/bin/php', '/app/worker'], numWorkers: 4, maxJobs: 0, allocateTimeoutMs: 1_500,
      destroyTimeoutMs: 60_000, supervisor: { watchTickMs: 5_000, execTtlMs: 30_000, ttlMs: 0 },
    });
    expect(compilePoolConfig({ command: 'php  worker.php' }, 'p', 1).command).toEqual(['php', 'worker.php']);
    expect(compilePoolConfig(undefined, 'p', 3)).toMatchObject({ numWorkers: 3, debug: false });
  });
});

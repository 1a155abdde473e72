import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type LoadConfigOptions } from './load.js';
import { createConfigView } from './view.js';

let root: string;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'rr-config-')));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(rel: string, text: string): Promise<string> {
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

function load(opts: LoadConfigOptions = {}) {
  return loadConfig({ cwd: root, env: {}, ...opts });
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string; errors?: Array<{ path: string; found: unknown; expected: string; message: string }> }> {
  try {
    await promise;
  } catch (err) {
    return err as never;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig: file, directories, formats', () => {
  it('reads .rr.yaml from the cwd; the work dir is the file directory; keys are lowercased', async () => {
    await write('app/.rr.yaml', 'version: "3"\nHTTP:\n  Address: ":8080"\n  Pool: { Num_Workers: 2 }\n');
    const loaded = await load({ configPath: 'app/.rr.yaml' });
    expect(loaded.file).toBe(join(root, 'app/.rr.yaml'));
    expect(loaded.dir).toBe(join(root, 'app'));
    expect(loaded.experimental).toBe(false);
    expect(loaded.data).toEqual({ version: '3', http: { address: ':8080', pool: { num_workers: 2 } } });
  });

  it('with -w, resolves -c from the work dir and keeps it as the dir', async () => {
    await write('srv/conf/rr.yaml', 'version: "3"\n');
    const loaded = await load({ workDir: 'srv', configPath: 'conf/rr.yaml' });
    expect(loaded.dir).toBe(join(root, 'srv'));
    expect(loaded.file).toBe(join(root, 'srv/conf/rr.yaml'));
  });

  it('a missing file is RR_ERR_CONFIG_NOT_FOUND naming the absolute path', async () => {
    const err = await failure(load());
    expect(err.code).toBe('RR_ERR_CONFIG_NOT_FOUND');
    expect(err.message).toContain(join(root, '.rr.yaml'));
    expect(err.message).toContain('does not exist');
  });

  it('a missing -w directory is RR_ERR_CONFIG_NOT_FOUND', async () => {
    const err = await failure(load({ workDir: 'nope' }));
    expect(err.code).toBe('RR_ERR_CONFIG_NOT_FOUND');
    expect(err.message).toContain(join(root, 'nope'));
  });

  it('an empty file is valid; version then comes from -o (Octane)', async () => {
    await write('.rr.yaml', '');
    const loaded = await load({ overrides: ['version=3', 'http.address=0.0.0.0:8000', 'server.command=php,worker.php'] });
    expect(loaded.data).toEqual({ version: '3', http: { address: '0.0.0.0:8000' }, server: { command: 'php,worker.php' } });
  });

  it('reads JSON by extension', async () => {
    await write('rr.json', '{"version": "3", "RPC": {"listen": "tcp://127.0.0.1:6001"}}');
    expect((await load({ configPath: 'rr.json' })).data).toEqual({ version: '3', rpc: { listen: 'tcp://127.0.0.1:6001' } });
  });

  it.each([
    ['.rr.yaml', 'version: "3"\nhttp: [unclosed\n', 'not valid YAML'],
    ['.rr.yaml', 'version: "3"\nhttp: 1\nhttp: 2\n', 'not valid YAML'],
    ['.rr.yaml', '- a\n- b\n', 'top level must be a map'],
    ['rr.json', '{"version": ', 'not valid JSON'],
    ['rr.toml', 'version = "3"', 'unsupported config type "toml"'],
  ])('%s with bad content is RR_ERR_CONFIG_PARSE (%s)', async (name, text, words) => {
    await write(name, text);
    const err = await failure(load({ configPath: name }));
    expect(err.code).toBe('RR_ERR_CONFIG_PARSE');
    expect(err.message).toContain(join(root, name));
    expect(err.message).toContain(words);
  });

  it('supports YAML anchors and merge keys', async () => {
    await write('.rr.yaml', 'version: "3"\nbase: &b { a: 1, b: 2 }\nuse:\n  <<: *b\n  b: 3\n');
    expect((await load()).data['use']).toEqual({ a: 1, b: 3 });
  });
});

describe('loadConfig: env substitution', () => {
  it('expands ${VAR}, $VAR, defaults and unset vars over strings and string list items only', async () => {
    await write('.rr.yaml', [
      'version: "3"',
      'rpc:',
      '  listen: tcp://127.0.0.1:${RPC_PORT:-6001}',
      'http:',
      '  address: ${HOST}:$PORT',
      '  middleware: ["$MW", headers]',
      '  empty_default: ${EMPTY:-fallback}',
      '  unset: "[${NOPE}]"',
      '  num: 5',
      'fileserver:',
      '  serve:',
      '    - { prefix: /s, root: "${HOST}" }',
    ].join('\n'));
    const loaded = await load({ env: { HOST: 'localhost', PORT: '80', MW: 'static', EMPTY: '' } });
    expect(loaded.data).toEqual({
      version: '3',
      rpc: { listen: 'tcp://127.0.0.1:6001' },
      http: { address: 'localhost:80', middleware: ['static', 'headers'], empty_default: 'fallback', unset: '[]', num: 5 },
      fileserver: { serve: [{ prefix: '/s', root: '${HOST}' }] },
    });
  });
});

describe('loadConfig: -o overrides', () => {
  it('merges at leaf level, creates parents, stores strings, lowercases keys and expands env in values', async () => {
    await write('.rr.yaml', 'version: "3"\nhttp:\n  address: ":8080"\n  pool:\n    num_workers: 2\n    max_jobs: 10\n');
    const loaded = await load({
      env: { WORKERS: '8' },
      overrides: ['http.pool.num_workers=${WORKERS}', 'HTTP.Pool.Debug=true', 'a.b.c=1', 'http.address="127.0.0.1:9000"'],
    });
    expect(loaded.data).toEqual({
      version: '3',
      http: { address: '127.0.0.1:9000', pool: { num_workers: '8', max_jobs: 10, debug: 'true' } },
      a: { b: { c: '1' } },
    });
  });

  it('a later -o wins, and setting below a scalar replaces it with a map', async () => {
    await write('.rr.yaml', 'version: "3"\nlogs: stdout\n');
    const loaded = await load({ overrides: ['x=1', 'x=2', 'logs.level=debug'] });
    expect(loaded.data).toEqual({ version: '3', x: '2', logs: { level: 'debug' } });
  });

  it.each([
    ['broken', 'invalid flag'],
    ['=v', 'key should not be empty'],
    ['k=', 'value should not be empty'],
  ])('%j → RR_ERR_CONFIG_OVERRIDE "%s"', async (flag, words) => {
    await write('.rr.yaml', 'version: "3"\n');
    const err = await failure(load({ overrides: [flag] }));
    expect(err.code).toBe('RR_ERR_CONFIG_OVERRIDE');
    expect(err.message).toContain(words);
  });
});

describe('loadConfig: version', () => {
  it('a missing version fails with RoadRunner\'s message, naming the file', async () => {
    await write('.rr.yaml', 'http: {}\n');
    const err = await failure(load());
    expect(err.code).toBe('RR_ERR_CONFIG_VERSION');
    expect(err.message).toContain('rr configuration file should contain a version e.g: version: 3');
    expect(err.message).toContain(join(root, '.rr.yaml'));
    expect(err.errors?.[0]).toMatchObject({ path: 'version', found: undefined });
  });

  it('an int version fails with RoadRunner\'s message and the found value', async () => {
    await write('.rr.yaml', 'version: 3\n');
    const err = await failure(load());
    expect(err.code).toBe('RR_ERR_CONFIG_VERSION');
    expect(err.message).toContain('version should be a string: `version: "3"`, actual type is: int');
    expect(err.errors?.[0]).toMatchObject({ path: 'version', found: 3 });
    expect(err.errors?.[0]?.message).toContain(`${join(root, '.rr.yaml')}: version: found 3, expected a string`);
  });

  it('reports float and bool versions with Go type names', async () => {
    await write('.rr.yaml', 'version: 2.7\n');
    expect((await failure(load())).message).toContain('actual type is: float64');
    await write('.rr.yaml', 'version: true\n');
    expect((await failure(load())).message).toContain('actual type is: bool');
  });

  it('-o version=3 repairs an int version (the override is a string)', async () => {
    await write('.rr.yaml', 'version: 3\n');
    expect((await load({ overrides: ['version=3'] })).data['version']).toBe('3');
  });

  it('"2.7" is accepted with an upgrade notice; other strings silently', async () => {
    await write('.rr.yaml', 'version: "2.7"\n');
    expect((await load()).notices).toEqual([expect.stringContaining("version: '2.7' to version: '3'")]);
    await write('.rr.yaml', 'version: "whatever"\n');
    expect((await load()).notices).toEqual([]);
  });
});

describe('loadConfig: include', () => {
  it('included sections replace the root\'s wholesale, after -o; env is expanded in them', async () => {
    await write('conf/.rr.yaml', 'version: "3"\ninclude: [parts/http.yaml, logs.yaml]\nhttp:\n  address: ":1"\n  pool: { num_workers: 2 }\nrpc: { listen: "tcp://127.0.0.1:6001" }\n');
    await write('conf/parts/http.yaml', 'version: "3"\nhttp:\n  address: "${ADDR}"\n');
    await write('conf/logs.yaml', 'version: "3"\nlogs: { level: debug }\n');
    const loaded = await load({ configPath: 'conf/.rr.yaml', env: { ADDR: ':9' }, overrides: ['http.pool.num_workers=5', 'rpc.listen=tcp://127.0.0.1:7000'] });
    expect(loaded.data['http']).toEqual({ address: ':9' });
    expect(loaded.data['rpc']).toEqual({ listen: 'tcp://127.0.0.1:7000' });
    expect(loaded.data['logs']).toEqual({ level: 'debug' });
  });

  it('include set by -o is split on whitespace; paths are relative to the config file directory, even with -w', async () => {
    await write('cfg/.rr.yaml', 'version: "3"\n');
    await write('cfg/a.yaml', 'version: "3"\na: { x: 1 }\n');
    await write('cfg/b.yaml', 'version: "3"\nb: { y: 2 }\n');
    await mkdir(join(root, 'work'));
    const loaded = await load({ workDir: 'work', configPath: '../cfg/.rr.yaml', overrides: ['include=a.yaml  b.yaml'] });
    expect(loaded.data['a']).toEqual({ x: 1 });
    expect(loaded.data['b']).toEqual({ y: 2 });
  });

  it('an included file with another version is RR_ERR_CONFIG_INCLUDE with RoadRunner\'s message', async () => {
    await write('.rr.yaml', 'version: "3"\ninclude: [other.yaml]\n');
    const other = await write('other.yaml', 'version: "2.7"\nhttp: {}\n');
    const err = await failure(load());
    expect(err.code).toBe('RR_ERR_CONFIG_INCLUDE');
    expect(err.message).toContain('version in included file must be the same as in root');
    expect(err.errors?.[0]).toMatchObject({ path: 'version', found: '2.7', expected: expect.stringContaining('"3"') });
    expect(err.errors?.[0]?.message).toContain(other);
  });

  it('a missing included file is RR_ERR_CONFIG_INCLUDE naming its absolute path', async () => {
    await write('.rr.yaml', 'version: "3"\ninclude: [gone.yaml]\n');
    const err = await failure(load());
    expect(err.code).toBe('RR_ERR_CONFIG_INCLUDE');
    expect(err.message).toContain(join(root, 'gone.yaml'));
  });

  it('an included file without version is RR_ERR_CONFIG_INCLUDE', async () => {
    await write('.rr.yaml', 'version: "3"\ninclude: [x.yaml]\n');
    await write('x.yaml', 'http: {}\n');
    const err = await failure(load());
    expect(err.code).toBe('RR_ERR_CONFIG_INCLUDE');
    expect(err.message).toContain('should contain a version');
  });

  it('include must be a list of names', async () => {
    await write('.rr.yaml', 'version: "3"\ninclude: [a.yaml, {x: 1}]\n');
    const err = await failure(load());
    expect(err.code).toBe('RR_ERR_CONFIG_INCLUDE');
    expect(err.errors?.[0]).toMatchObject({ path: 'include.1', found: { x: 1 } });
  });
});

describe('loadConfig: dotenv and envfile', () => {
  it('--dotenv adds variables without overwriting existing ones, before substitution', async () => {
    await write('.rr.yaml', 'version: "3"\nhttp: { address: "${HOST}:${PORT}" }\n');
    await write('.env', 'HOST=from-dotenv\nPORT=8080\n');
    const env: NodeJS.ProcessEnv = { HOST: 'from-env' };
    const loaded = await load({ dotenv: '.env', env });
    expect(loaded.data['http']).toEqual({ address: 'from-env:8080' });
    expect(env).toEqual({ HOST: 'from-env', PORT: '8080' });
  });

  it('DOTENV_PATH overrides --dotenv; an empty DOTENV_PATH switches dotenv off', async () => {
    await write('.rr.yaml', 'version: "3"\nv: "${WHICH}"\n');
    await write('flag.env', 'WHICH=flag\n');
    await write('envvar.env', 'WHICH=envvar\n');
    expect((await load({ dotenv: 'flag.env', env: { DOTENV_PATH: 'envvar.env' } })).data['v']).toBe('envvar');
    expect((await load({ dotenv: 'flag.env', env: {} })).data['v']).toBe('flag');
    expect((await load({ dotenv: 'flag.env', env: { DOTENV_PATH: '' } })).data['v']).toBe('');
  });

  it('resolves the dotenv path from the work dir', async () => {
    await write('w/.rr.yaml', 'version: "3"\nv: "${X}"\n');
    await write('w/.env', 'X=1\n');
    expect((await load({ configPath: 'w/.rr.yaml', dotenv: '.env' })).data['v']).toBe('1');
  });

  it('a missing dotenv file is RR_ERR_CONFIG_DOTENV naming the path and the option', async () => {
    await write('.rr.yaml', 'version: "3"\n');
    const err = await failure(load({ env: { DOTENV_PATH: 'missing.env' } }));
    expect(err.code).toBe('RR_ERR_CONFIG_DOTENV');
    expect(err.message).toContain(join(root, 'missing.env'));
    expect(err.message).toContain('DOTENV_PATH');
  });

  it('envfile is honoured only with -e (experimental)', async () => {
    await write('.rr.yaml', 'version: "3"\nenvfile: app.env\nv: "${FROM_ENVFILE:-none}"\n');
    await write('app.env', 'FROM_ENVFILE=yes\n');
    expect((await load()).data['v']).toBe('none');
    const loaded = await load({ experimental: true });
    expect(loaded.data['v']).toBe('yes');
    expect(loaded.experimental).toBe(true);
  });
});

describe('loadConfig: endure', () => {
  it('is read from the file alone: no env substitution, -o has no effect (with a notice)', async () => {
    await write('.rr.yaml', 'version: "3"\nendure:\n  grace_period: 10s\n  log_level: "${LEVEL}"\n');
    const loaded = await load({ env: { LEVEL: 'debug' }, overrides: ['endure.grace_period=1s'] });
    expect(loaded.data['endure']).toEqual({ grace_period: '10s', log_level: '${LEVEL}' });
    expect(loaded.notices).toEqual([expect.stringContaining('endure.grace_period has no effect')]);
  });

  it('a bad grace_period is RR_ERR_CONFIG_INVALID with path, found and expected', async () => {
    await write('.rr.yaml', 'version: "3"\nendure: { grace_period: "60" }\n');
    const err = await failure(load());
    expect(err.code).toBe('RR_ERR_CONFIG_INVALID');
    expect(err.errors?.[0]).toMatchObject({ path: 'endure.grace_period', found: '60', expected: expect.stringContaining('missing unit') });
    expect(err.message).toContain(`${join(root, '.rr.yaml')}: endure.grace_period: found "60"`);
  });
});

describe('createConfigView', () => {
  it('answers has/get by case-insensitive dotted path and computes the grace period', async () => {
    await write('.rr.yaml', 'version: "3"\nrpc: {}\nhttp: { pool: { num_workers: 4 } }\nendure: { grace_period: 1m30s }\n');
    const loaded = await load();
    const view = createConfigView(loaded);
    expect(view.has('rpc')).toBe(true);
    expect(view.has('RPC')).toBe(true);
    expect(view.has('rpc.listen')).toBe(false);
    expect(view.has('kv')).toBe(false);
    expect(view.get('http.pool.num_workers')).toBe(4);
    expect(view.get('http.pool.nope')).toBeUndefined();
    expect(view.gracePeriodMs).toBe(90_000);
    expect(view.file).toBe(loaded.file);
    expect(view.workDir).toBe(loaded.dir);
    expect(view.experimental).toBe(false);
  });

  it('defaults the grace period to 30 s and treats a bare integer as nanoseconds', () => {
    const base = { file: '/x/.rr.yaml', dir: '/x', experimental: false };
    expect(createConfigView({ ...base, data: { version: '3' } }).gracePeriodMs).toBe(30_000);
    expect(createConfigView({ ...base, data: { endure: { grace_period: 5_000_000_000 } } }).gracePeriodMs).toBe(5000);
  });

  it('hands out frozen data and is not affected by later changes to the loaded config', () => {
    const data: Record<string, unknown> = { http: { address: ':1' } };
    const view = createConfigView({ file: undefined, dir: '/', experimental: false, data });
    (data['http'] as Record<string, unknown>)['address'] = ':2';
    expect(view.get('http.address')).toBe(':1');
    expect(() => { (view.get('http') as Record<string, unknown>)['address'] = ':3'; }).toThrow(TypeError);
  });
});

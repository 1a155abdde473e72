import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { GO_DURATION_PATTERN } from '@rr/plugin-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface Run { code: number; stdout: string; stderr: string }

function runStitch(root: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'schemas', 'stitch.mjs'), ...args], { cwd: root }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function compile(schema: object) {
  return new Ajv2019({ allErrors: true, strict: false }).compile(schema);
}

describe('schemas/config/3.0.schema.json in the repository', () => {
  it('is up to date with its sources (else: run `pnpm schemas` and commit)', async () => {
    const run = await runStitch(REPO, '--check');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('is a valid draft 2019-09 schema that accepts a real config and rejects bad root keys', async () => {
    const schema = JSON.parse(await readFile(join(REPO, 'schemas/config/3.0.schema.json'), 'utf8')) as {
      properties: Record<string, { properties?: Record<string, { pattern?: string }> }>;
    };
    expect(schema.properties['endure']?.properties?.['grace_period']?.pattern).toBe(GO_DURATION_PATTERN);
    const validate = compile(schema);
    expect(validate({ version: '3', endure: { grace_period: '30s', log_level: 'warn' }, include: ['a.yaml'], third_party: { any: 1 } })).toBe(true);
    expect(validate({ version: 3 })).toBe(false);
    expect(validate({ http: {} })).toBe(false);
    expect(validate({ version: '3', endure: { grace_period: '60' } })).toBe(false);
    expect(validate({ version: '3', endure: { typo: true } })).toBe(false);
  });
});

describe('schemas/stitch.mjs', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'rr-stitch-'));
    await mkdir(join(root, 'schemas', 'core'), { recursive: true });
    await copyFile(join(REPO, 'schemas', 'stitch.mjs'), join(root, 'schemas', 'stitch.mjs'));
    for (const name of await readdir(join(REPO, 'schemas', 'core'))) {
      await copyFile(join(REPO, 'schemas', 'core', name), join(root, 'schemas', 'core', name));
    }
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function plugin(dir: string, schema: unknown): Promise<void> {
    const path = join(root, 'plugins', dir, 'schema.json');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, typeof schema === 'string' ? schema : JSON.stringify(schema));
  }
  const output = () => readFile(join(root, 'schemas', 'config', '3.0.schema.json'), 'utf8');

  const kvSchema = {
    $schema: 'https://json-schema.org/draft/2019-09/schema',
    title: 'kv',
    type: 'object',
    additionalProperties: { $ref: '#/$defs/storage' },
    $defs: { storage: { type: 'object', required: ['driver'], properties: { driver: { enum: ['memory', 'redis'] } } } },
  };

  it('writes one section per source, sorted, with local $refs still resolving', async () => {
    await plugin('zeta-plugin', { type: 'object', properties: { on: { type: 'boolean' } } });
    await plugin('kv', kvSchema);
    await plugin('pool', { title: 'server', type: 'object', properties: { command: { type: 'string' } } });
    await plugin('no-schema-here', 'not read');
    await rm(join(root, 'plugins', 'no-schema-here', 'schema.json'));
    await mkdir(join(root, 'core', 'src', 'logging'), { recursive: true });
    await writeFile(join(root, 'core', 'src', 'logging', 'logs.schema.json'), JSON.stringify({ type: 'object', properties: { level: { type: 'string' } } }));

    const run = await runStitch(root);
    expect(run.code).toBe(0);
    const doc = JSON.parse(await output()) as { $schema: string; additionalProperties: unknown; properties: Record<string, Record<string, unknown>> };
    expect(doc.$schema).toBe('https://json-schema.org/draft/2019-09/schema');
    expect(doc.additionalProperties).toBe(true);
    expect(Object.keys(doc.properties)).toEqual(['endure', 'envfile', 'include', 'kv', 'logs', 'server', 'version', 'zeta_plugin']);
    expect(doc.properties['kv']?.['$schema']).toBeUndefined();

    const validate = compile(doc);
    expect(validate({ version: '3', kv: { cache: { driver: 'memory' } } })).toBe(true);
    expect(validate({ version: '3', kv: { cache: { driver: 'disk' } } })).toBe(false);
    expect(validate({ version: '3', zeta_plugin: { on: 'yes' } })).toBe(false);
  });

  it('is deterministic, and --check tells when the output is stale or missing', async () => {
    await plugin('kv', kvSchema);
    expect((await runStitch(root, '--check')).code).toBe(1);
    expect((await runStitch(root)).code).toBe(0);
    const first = await output();
    expect((await runStitch(root)).code).toBe(0);
    expect(await output()).toBe(first);
    expect(await runStitch(root, '--check')).toEqual({ code: 0, stdout: '', stderr: '' });

    await plugin('kv', { ...kvSchema, description: 'changed' });
    const stale = await runStitch(root, '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('schemas/config/3.0.schema.json is out of date');
    expect(stale.stderr).toContain('pnpm schemas');
    expect(await output()).toBe(first);
  });

  it('fails clearly on invalid JSON and on two sources for one section', async () => {
    await plugin('broken', '{ nope');
    let run = await runStitch(root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('plugins/broken/schema.json is not valid JSON');

    await rm(join(root, 'plugins', 'broken'), { recursive: true });
    await plugin('a', { title: 'version', type: 'object' });
    run = await runStitch(root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('section "version" is already described by schemas/core/version.schema.json');
  });
});

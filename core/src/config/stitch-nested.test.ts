import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function run(root: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'schemas', 'stitch.mjs')], { cwd: root }, (err, _out, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr });
    });
  });
}

describe('schemas/stitch.mjs: nested sections (x-rr-section "http.static")', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'rr-stitch-nested-'));
    await mkdir(join(root, 'schemas'), { recursive: true });
    await copyFile(join(REPO, 'schemas', 'stitch.mjs'), join(root, 'schemas', 'stitch.mjs'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function plugin(dir: string, schema: object): Promise<void> {
    await mkdir(join(root, 'plugins', dir), { recursive: true });
    await writeFile(join(root, 'plugins', dir, 'schema.json'), JSON.stringify(schema));
  }
  async function output(): Promise<{ properties: Record<string, { $id?: string; additionalProperties?: boolean; properties?: Record<string, { $id?: string; title?: string; properties?: object }> }> }> {
    return JSON.parse(await readFile(join(root, 'schemas', 'config', '3.0.schema.json'), 'utf8')) as never;
  }

  it('replaces the parent\'s placeholder property with the nested plugin\'s schema', async () => {
    await plugin('http', { title: 'http', type: 'object', additionalProperties: false, properties: { address: { type: 'string' }, static: { type: 'object' } } });
    await plugin('static', { 'x-rr-section': 'http.static', title: 'http.static', type: 'object', properties: { dir: { type: 'string' } } });
    expect((await run(root)).code).toBe(0);
    const http = (await output()).properties['http']!;
    expect(http.additionalProperties).toBe(false);
    expect(Object.keys(http.properties ?? {})).toEqual(['address', 'static']);
    expect(http.properties?.['static']).toMatchObject({ $id: 'urn:rr:schema:section:http.static', properties: { dir: { type: 'string' } } });
  });

  it('creates a permissive parent when none describes it, and refuses two plugins for one nested section', async () => {
    await plugin('gzip-like', { 'x-rr-section': 'web.gzip', type: 'object' });
    expect((await run(root)).code).toBe(0);
    expect((await output()).properties['web']).toMatchObject({ type: 'object', properties: { gzip: { $id: 'urn:rr:schema:section:web.gzip' } } });
    await plugin('other', { 'x-rr-section': 'web.gzip', type: 'object' });
    const again = await run(root);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('section "web.gzip" is already described by plugins/');
  });
});

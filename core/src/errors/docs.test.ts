import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from './codes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const docs = readFileSync(join(root, 'docs/errors.md'), 'utf8');

/** `## RR_ERR_X` headings with the text up to the next heading. */
const entries = [...docs.matchAll(/^## (\S+)\s*\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((m) => ({ code: m[1]!, body: m[2]!.trim() }));
const documented = entries.map((e) => e.code);

/** Every `RR_ERR_*` literal in the sources (plugins define their own codes outside codes.ts). */
function codesInSources(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.test.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/RR_ERR_[A-Z0-9_]+/g)) found.add(m[0]);
      }
    }
  };
  walk(join(root, 'core/src'));
  for (const group of ['packages', 'plugins']) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, group));
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        walk(join(root, group, name, 'src'));
      } catch {
        // a package without src/ (not yet written) has no codes
      }
    }
  }
  return found;
}

describe('docs/errors.md', () => {
  it('has an entry for every code in codes.ts', () => {
    const missing = Object.values(ErrorCodes).filter((code) => !documented.includes(code));
    expect(missing, 'add a "## <CODE>" entry to docs/errors.md for each').toEqual([]);
  });

  it('documents only codes that exist: in codes.ts or raised somewhere in the sources', () => {
    const known = new Set<string>([...Object.values(ErrorCodes), ...codesInSources()]);
    const unknown = documented.filter((code) => !known.has(code));
    expect(unknown, 'these docs entries name codes nothing raises any more').toEqual([]);
  });

  it('has each code once, named RR_ERR_<AREA>_<WHAT>, with an explanation', () => {
    expect(documented.filter((code, i) => documented.indexOf(code) !== i)).toEqual([]);
    for (const { code, body } of entries) {
      expect(code).toMatch(/^RR_ERR_[A-Z0-9]+(_[A-Z0-9]+)+$/);
      expect(body.length, `${code} needs a description of what it means and how to fix it`).toBeGreaterThan(40);
    }
  });

  it('codes.ts keys match their values', () => {
    for (const [key, code] of Object.entries(ErrorCodes)) expect(code).toBe(`RR_ERR_${key}`);
  });
});

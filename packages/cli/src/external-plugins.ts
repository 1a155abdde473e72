import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPlugin, RrError, type AnyPlugin } from '@rr/plugin-api';
import { ErrorCodes, type PluginEntry } from '@rr/kernel';

/**
 * Loads the third-party plugin packages named in the top-level `plugins:` list. Each entry (a package
 * name, or a path while developing) is resolved from the configuration's directory, like any Node
 * module an app depends on, and must export
 * plugin definitions (a default export that is a plugin or a list of them, and/or named exports).
 * Nothing is scanned: only listed packages are loaded.
 */
export async function externalEntries(list: unknown, configDir: string): Promise<PluginEntry[]> {
  if (list === undefined || list === null) return [];
  const names = typeof list === 'string' ? list.split(',').map((s) => s.trim()).filter(Boolean) : list;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw new RrError(ErrorCodes.CONFIG_INVALID, `plugins: expected a list of npm package names, found ${JSON.stringify(list)}`);
  }
  const requireFrom = createRequire(join(configDir, 'package.json'));
  const entries: PluginEntry[] = [];
  for (const packageName of names as string[]) {
    let resolved: string;
    try {
      resolved = requireFrom.resolve(packageName);
    } catch (err) {
      throw new RrError(ErrorCodes.PLUGIN_LOAD,
        `plugins: cannot find package "${packageName}" from ${configDir}. Install it next to the configuration (npm install ${packageName}), or fix the name or path.`, { cause: err });
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
    } catch (err) {
      throw new RrError(ErrorCodes.PLUGIN_LOAD, `plugins: package "${packageName}" (${resolved}) failed to load: ${(err as Error).message}`, { cause: err });
    }
    const plugins = pluginsExportedBy(mod);
    if (plugins.length === 0) {
      throw new RrError(ErrorCodes.PLUGIN_LOAD,
        `plugins: package "${packageName}" exports no plugin definitions. Export the result of definePlugin() from @rr/plugin-api (default or named export).`);
    }
    const packageVersion = versionNear(resolved, packageName);
    for (const plugin of plugins) entries.push({ plugin, source: 'external', packageName, packageVersion });
  }
  return entries;
}

function pluginsExportedBy(mod: Record<string, unknown>): AnyPlugin[] {
  const found = new Set<AnyPlugin>();
  for (const value of Object.values(mod)) {
    for (const candidate of Array.isArray(value) ? value : [value]) {
      if (isPlugin(candidate)) found.add(candidate);
    }
  }
  return [...found];
}

/** Walks up from the resolved entry file to the package's own package.json. */
function versionNear(file: string, packageName: string): string {
  let dir = dirname(file);
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === packageName) return pkg.version ?? 'unknown';
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

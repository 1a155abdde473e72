import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigView } from '@rr/plugin-api';

/** `http.static` after defaults, with the root resolved. */
export interface StaticConfig {
  /** `dir` as written in the config. */
  readonly dir: string;
  /** Absolute, symlink-free path of `dir`: every served file must resolve inside it. */
  readonly root: string;
  /** Lowercased extensions with their dot; forbidden ones are already removed from `allow`. */
  readonly forbid: readonly string[];
  readonly allow: readonly string[];
  readonly calculateEtag: boolean;
  readonly weak: boolean;
  readonly request: Readonly<Record<string, string>>;
  readonly response: Readonly<Record<string, string>>;
}

interface RawStatic {
  dir?: string;
  forbid?: string[];
  allow?: string[];
  calculate_etag?: boolean;
  weak?: boolean;
  request?: Record<string, string>;
  response?: Record<string, string>;
}

/**
 * Compiles `http.static`. As in RoadRunner, a missing or non-directory `dir` is a configuration
 * error that aborts start-up (not a disabled plugin).
 * @throws ConfigError naming `dir`
 */
export function compileStaticConfig(raw: unknown, view: Pick<ConfigView, 'workDir'>): StaticConfig {
  const r = (raw ?? {}) as RawStatic;
  const dir = r.dir ?? '';
  const absolute = isAbsolute(dir) ? dir : resolve(view.workDir, dir);
  let root: string;
  const missing = `an existing directory to serve files from (root directory '${dir}' does not exists; looked for ${absolute})`;
  if (dir === '') throw new ConfigError('dir', missing, dir);
  try {
    if (!statSync(absolute).isDirectory()) {
      throw new ConfigError('dir', `an existing directory to serve files from (invalid root directory '${dir}': not a directory)`, dir);
    }
    root = realpathSync(absolute);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('dir', missing, dir);
  }
  const forbid = normaliseExtensions(r.forbid);
  const allow = normaliseExtensions(r.allow).filter((ext) => !forbid.includes(ext));
  return {
    dir,
    root,
    forbid,
    allow,
    calculateEtag: r.calculate_etag ?? false,
    weak: r.weak ?? false,
    request: { ...(r.request ?? {}) },
    response: { ...(r.response ?? {}) },
  };
}

// RoadRunner compares against a lowercased extension, so ".CSS" in the config would never match;
// we lowercase both sides, and accept "css" as ".css".
function normaliseExtensions(list: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const item of list ?? []) {
    const trimmed = item.trim().toLowerCase();
    if (trimmed === '') continue;
    out.push(trimmed.startsWith('.') ? trimmed : `.${trimmed}`);
  }
  return out;
}

import { parseArgs } from 'node:util';
import { RrError } from '@rr/plugin-api';
import { ErrorCodes } from '@rr/kernel';

/** Global flags; like RoadRunner's persistent flags they are accepted before or after the command. */
export interface GlobalFlags {
  config: string;
  configGiven: boolean;
  workDir: string | undefined;
  dotenv: string | undefined;
  experimental: boolean;
  overrides: string[];
  silent: boolean;
  debug: boolean;
  pid: boolean;
  force: boolean;
  version: boolean;
  help: boolean;
}

export interface ParsedArgs {
  flags: GlobalFlags;
  /** The command and its arguments, e.g. `['plugins', 'list']`. */
  positionals: string[];
  /** Command-specific flags (`--json`, `-i`, `--pause` …), checked by the command itself. */
  extra: Record<string, string | boolean | undefined>;
}

const options = {
  config: { type: 'string', short: 'c' },
  WorkDir: { type: 'string', short: 'w' },
  workdir: { type: 'string' },
  dotenv: { type: 'string' },
  'enable-experimental': { type: 'boolean', short: 'e' },
  override: { type: 'string', short: 'o', multiple: true },
  silent: { type: 'boolean', short: 's' },
  debug: { type: 'boolean', short: 'd' },
  pid: { type: 'boolean', short: 'p' },
  force: { type: 'boolean', short: 'f' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  // command flags
  json: { type: 'boolean' },
  interactive: { type: 'boolean', short: 'i' },
  pause: { type: 'string' },
  resume: { type: 'string' },
  destroy: { type: 'string' },
  list: { type: 'boolean' },
} as const;

/** Parses argv (without node and script). Unknown flags are a usage error (exit 2). */
export function parseCommandLine(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new RrError(ErrorCodes.CLI_USAGE, `${(err as Error).message.replace(/\. To specify.*$/s, '')}. Run "rr --help" for usage.`, { cause: err });
  }
  const v = parsed.values;
  const flags: GlobalFlags = {
    config: v.config ?? '.rr.yaml',
    configGiven: v.config !== undefined,
    workDir: v.WorkDir ?? v.workdir,
    dotenv: v.dotenv,
    experimental: v['enable-experimental'] ?? false,
    overrides: v.override ?? [],
    silent: v.silent ?? false,
    debug: v.debug ?? false,
    pid: v.pid ?? false,
    force: v.force ?? false,
    version: v.version ?? false,
    help: v.help ?? false,
  };
  return {
    flags,
    positionals: parsed.positionals,
    extra: { json: v.json, interactive: v.interactive, pause: v.pause, resume: v.resume, destroy: v.destroy, list: v.list },
  };
}

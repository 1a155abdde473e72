import { dirname, resolve } from 'node:path';
import { ConfigError, parseDuration, RrError } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';
import { loadDotenvFile } from './dotenv.js';
import { envLookup, expandEnv, expandEnvTree } from './env-expand.js';
import { applyIncludes, includeList } from './include.js';
import { parseOverride } from './override.js';
import { configProblem } from './problem.js';
import { isDirectory, readConfigFile } from './read-file.js';
import { cloneData, isPlainObject, setPath, type ConfigMap } from './tree.js';
import { checkVersion } from './version.js';

export interface LoadConfigOptions {
  /** `-c/--config`. @default ".rr.yaml" */
  configPath?: string;
  /** `-w/--WorkDir`: the directory to run in; `-c` is resolved from it. Without it, the config file's directory. */
  workDir?: string;
  /** Raw `-o/--override` values, `key=value`, in command-line order. */
  overrides?: string[];
  /** `--dotenv`; the DOTENV_PATH environment variable overrides it. */
  dotenv?: string;
  /** `-e/--enable-experimental`: honour the top-level `envfile` key. */
  experimental?: boolean;
  /** Environment used for substitution. dotenv values are ADDED to it (existing ones win). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Directory relative `-c`/`-w` start from. @default process.cwd() */
  cwd?: string;
}

export interface LoadedConfig {
  /** Absolute path of the config file. */
  file: string | undefined;
  /** The working directory: the CLI chdirs here so relative paths in the config resolve as in RoadRunner. */
  dir: string;
  /** The effective configuration: file, env substitution, `-o`, includes. Keys lowercased. */
  data: Record<string, unknown>;
  experimental: boolean;
  /** Lines RoadRunner would print to stdout while loading (e.g. the version 2.7 upgrade hint). */
  notices?: string[];
}

/**
 * Loads the configuration the way RoadRunner's `serve` does (rr-surface §1): work dir and file
 * path, dotenv, read (YAML/JSON, empty allowed), `envfile` with -e, env substitution, `-o`,
 * `version` check, `include`, and `endure` taken from the file alone. Does not chdir.
 *
 * @throws RrError with code RR_ERR_CONFIG_NOT_FOUND, _PARSE, _VERSION, _OVERRIDE, _INCLUDE, _DOTENV or
 * _INVALID; `errors` (ConfigProblem[]) is attached when the error is about specific keys.
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const configPath = opts.configPath ?? '.rr.yaml';
  const lookup = envLookup(env);
  const notices: string[] = [];

  if (configPath === '') throw new RrError(ErrorCodes.CONFIG_NOT_FOUND, 'no configuration file provided: -c/--config is empty. Pass the path of your .rr.yaml.');
  let dir: string;
  let file: string;
  if (opts.workDir !== undefined && opts.workDir !== '') {
    dir = resolve(cwd, opts.workDir);
    if (!(await isDirectory(dir))) {
      throw new RrError(ErrorCodes.CONFIG_NOT_FOUND, `working directory ${dir} (from -w ${JSON.stringify(opts.workDir)}) does not exist or is not a directory. Fix -w/--WorkDir.`);
    }
    file = resolve(dir, configPath);
  } else {
    file = resolve(cwd, configPath);
    dir = dirname(file);
  }
  const configDir = dirname(file);

  // godotenv reads DOTENV_PATH when it is set at all: an empty value switches --dotenv off.
  const dotenvFromEnv = Object.hasOwn(env, 'DOTENV_PATH') && env['DOTENV_PATH'] !== undefined;
  const dotenvPath = dotenvFromEnv ? env['DOTENV_PATH'] : opts.dotenv;
  if (dotenvPath !== undefined && dotenvPath !== '') {
    await loadDotenvFile(resolve(dir, dotenvPath), env, dotenvFromEnv ? 'DOTENV_PATH' : '--dotenv');
  }

  const hint = opts.workDir
    ? `It was resolved from -w ${JSON.stringify(opts.workDir)}; fix -c/--config or -w/--WorkDir.`
    : `Create it, or point -c/--config at your .rr.yaml (relative to ${cwd}).`;
  const fromFile = await readConfigFile(file, 'config file', ErrorCodes.CONFIG_NOT_FOUND, hint);

  if (opts.experimental === true && typeof fromFile['envfile'] === 'string' && fromFile['envfile'] !== '') {
    await loadDotenvFile(resolve(configDir, fromFile['envfile']), env, `envfile in ${file}`);
  }

  // RoadRunner reads `endure` with a separate viper from the file alone: no env, no -o, no include.
  const endure = fromFile['endure'] === undefined ? undefined : cloneData(fromFile['endure']);
  const data = expandEnvTree(fromFile, lookup) as ConfigMap;

  for (const flag of opts.overrides ?? []) {
    const { key, value } = parseOverride(flag);
    setPath(data, key, expandEnv(value, lookup));
    if (key.toLowerCase().split('.')[0] === 'endure') {
      notices.push(`-o ${key} has no effect: the endure section is read from the config file only (as in RoadRunner)`);
    }
  }

  notices.push(...checkVersion(data['version'], file));
  const hasIncludes = includeList(data['include'], file).length > 0;
  if (hasIncludes) await applyIncludes(data, { file, configDir, lookup });

  if (endure === undefined) delete data['endure'];
  else data['endure'] = endure;
  checkEndure(endure, file);

  return { file, dir, data, experimental: opts.experimental === true, notices };
}

// The kernel needs the grace period at stop time; a bad value is reported now, not at Ctrl-C.
function checkEndure(endure: unknown, file: string): void {
  if (endure === undefined || endure === null) return;
  if (!isPlainObject(endure)) {
    const problem = configProblem(file, 'endure', endure, 'a map (grace_period, log_level, print_graph, watchdog_sec)');
    throw Object.assign(new RrError(ErrorCodes.CONFIG_INVALID, `invalid configuration:\n${problem.message}`), { errors: [problem] });
  }
  const grace = endure['grace_period'];
  if (grace === undefined || grace === null) return;
  try {
    parseDuration(grace, 'endure.grace_period');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const problem = configProblem(file, 'endure.grace_period', grace, err.expected);
    throw Object.assign(new RrError(ErrorCodes.CONFIG_INVALID, `invalid configuration:\n${problem.message}`), { errors: [problem] });
  }
}

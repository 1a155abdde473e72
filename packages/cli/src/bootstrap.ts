import { coerceAndValidate, createKernel, createLogging, loadConfig, validateSection, logsSchema, ErrorCodes,
  type Kernel, type LoadedConfig, type Logging } from '@rr/kernel';
import { RrError } from '@rr/plugin-api';
import type { GlobalFlags } from './args.js';
import { builtinEntries } from './builtin-plugins.js';
import { externalEntries } from './external-plugins.js';
import { rrVersion } from './version.js';

export interface Booted {
  config: LoadedConfig;
  logging: Logging;
  kernel: Kernel;
}

/**
 * Everything `serve` and `plugins` share: load the configuration (and move into its directory, so
 * relative paths in it resolve as in RoadRunner), build the loggers, collect the plugins, and create
 * the kernel. No plugin code runs here.
 */
export async function boot(flags: GlobalFlags, opts: { allowMissingConfig?: boolean } = {}): Promise<Booted> {
  const config = await loadConfiguration(flags, opts.allowMissingConfig ?? false);
  process.chdir(config.dir);
  if (!flags.silent) for (const notice of config.notices ?? []) process.stdout.write(`${notice}\n`);
  // Weak typing applies to `logs` like any section: Octane's `-o logs.output=stdout` must become a list.
  const logs = config.data['logs'] === undefined ? { value: undefined, problems: [] }
    : coerceAndValidate({ section: 'logs', schema: logsSchema, value: config.data['logs'], file: config.file });
  if (logs.problems.length > 0) {
    throw Object.assign(new RrError(ErrorCodes.CONFIG_INVALID, `invalid "logs" section (${logs.problems.length} problem(s)):`), { errors: logs.problems });
  }
  const logging = createLogging(logs.value);
  const entries = [...(await builtinEntries()), ...(await externalEntries(config.data['plugins'], config.dir))];
  const kernel = createKernel({ entries, config, loggers: logging, version: rrVersion(), validateSection });
  return { config, logging, kernel };
}

async function loadConfiguration(flags: GlobalFlags, allowMissing: boolean): Promise<LoadedConfig> {
  const options = {
    configPath: flags.config,
    workDir: flags.workDir,
    overrides: flags.overrides,
    dotenv: flags.dotenv,
    experimental: flags.experimental,
  };
  try {
    return await loadConfig(options);
  } catch (err) {
    // `rr plugins list` with no configuration at hand still lists what rr knows about.
    if (allowMissing && !flags.configGiven && (err as RrError).code === ErrorCodes.CONFIG_NOT_FOUND) {
      return { file: undefined, dir: flags.workDir ?? process.cwd(), data: { version: '3' }, experimental: flags.experimental };
    }
    throw err;
  }
}

import { ConfigError, parseDuration, RrError, type ConfigView } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';
import type { LoadedConfig } from './load.js';
import { configProblem } from './problem.js';
import { cloneData, deepFreeze, lookup } from './tree.js';

/** RoadRunner's default `endure.grace_period`. */
export const DEFAULT_GRACE_PERIOD_MS = 30_000;

/**
 * The read-only {@link ConfigView} plugins get. Paths are dotted and case-insensitive (viper keys
 * are). The view holds a frozen copy, so nothing a plugin does changes the kernel's config.
 * @throws RrError RR_ERR_CONFIG_INVALID when `endure.grace_period` is not a duration
 */
export function createConfigView(loaded: LoadedConfig): ConfigView {
  const data = deepFreeze(cloneData(loaded.data));
  const gracePeriodMs = gracePeriod(data, loaded.file);
  return Object.freeze({
    file: loaded.file,
    workDir: loaded.dir,
    experimental: loaded.experimental,
    gracePeriodMs,
    has: (path: string) => lookup(data, path).found,
    // The empty path is the whole tree (rpc.Config returns it, as RoadRunner does).
    get: (path: string) => (path === '' ? data : lookup(data, path).value),
  });
}

function gracePeriod(data: Record<string, unknown>, file: string | undefined): number {
  const raw = lookup(data, 'endure.grace_period').value;
  if (raw === undefined || raw === null) return DEFAULT_GRACE_PERIOD_MS;
  try {
    return parseDuration(raw, 'endure.grace_period');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const problem = configProblem(file, err.path, raw, err.expected);
    throw Object.assign(new RrError(ErrorCodes.CONFIG_INVALID, `invalid configuration:\n${problem.message}`), { errors: [problem] });
  }
}

import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEVEL_RANK, OFF_RANK, parseLevel, type Threshold } from './levels.js';

/**
 * How a line looks. JSON always uses the production layout (lowercase level, integer ns `ts`),
 * whatever the mode: zap would put colour codes and padded names into JSON for development mode,
 * which no consumer wants. Console layouts follow the mode's encoder, as in RoadRunner.
 */
export type Layout = 'json' | 'console-dev' | 'console-prod' | 'raw';

/** The rotating file sink (`file_logger_options`, lumberjack in RoadRunner). */
export interface FileLoggerSpec {
  readonly path: string;
  readonly maxBytes: number;
  readonly maxAgeDays: number;
  readonly maxBackups: number;
  readonly compress: boolean;
}

/** One logger's compiled settings: the root `logs` section or one channel. */
export interface LoggerSpec {
  /** Minimum level rank; OFF_RANK discards everything. */
  readonly threshold: number;
  readonly layout: Layout;
  readonly lineEnding: string;
  /** `stdout`, `stderr`, or absolute file paths. Empty when `file` is set or the mode is off. */
  readonly outputs: readonly string[];
  /** Where the logger's own write failures are reported (zap's ErrorOutputPaths). */
  readonly errOutputs: readonly string[];
  readonly file: FileLoggerSpec | undefined;
}

export interface LogsSpec {
  readonly root: LoggerSpec;
  /** Per logger name; a channel replaces the root settings for that name entirely. */
  readonly channels: ReadonlyMap<string, LoggerSpec>;
}

type ModeName = 'development' | 'production' | 'raw' | 'off' | 'fallback';

const MODE_DEFAULTS: Record<Exclude<ModeName, 'off'>, { level: Threshold; encoding: 'console' | 'json' }> = {
  development: { level: 'debug', encoding: 'console' },
  production: { level: 'info', encoding: 'json' },
  raw: { level: 'info', encoding: 'console' },
  // RoadRunner's `default:` branch: a channel without a mode, or an unknown mode. Its encoder
  // matches development's, so only the name differs.
  fallback: { level: 'debug', encoding: 'console' },
};

const MB = 1024 * 1024;

/** lumberjack's name for its default file, with the process name `rr`. */
export const DEFAULT_FILE_NAME = 'rr-lumberjack.log';

/**
 * Compiles the raw `logs` section. Lenient by design: logging is built before (and independently
 * of) schema validation so that config errors can be logged, so a value of the wrong type falls
 * back to its default instead of throwing.
 */
export function compileLogsSpec(raw: unknown, cwd: string): LogsSpec {
  const section = isRecord(raw) ? raw : {};
  const root = compileLogger(section, true, cwd);
  const channels = new Map<string, LoggerSpec>();
  if (isRecord(section.channels)) {
    for (const [name, value] of Object.entries(section.channels)) {
      channels.set(name, compileLogger(isRecord(value) ? value : {}, false, cwd));
    }
  }
  return { root, channels };
}

function compileLogger(cfg: Record<string, unknown>, isRoot: boolean, cwd: string): LoggerSpec {
  const mode = modeOf(cfg.mode, isRoot);
  const lineEnding = typeof cfg.line_ending === 'string' && cfg.line_ending !== '' ? cfg.line_ending : '\n';
  const errOutputs = paths(cfg.err_output ?? cfg.error_output, cwd);
  if (mode === 'off') {
    return { threshold: OFF_RANK, layout: 'json', lineEnding, outputs: [], errOutputs, file: undefined };
  }
  const defaults = MODE_DEFAULTS[mode];
  // RoadRunner fills an empty `level` with "debug" in every mode; only an unparseable one falls back to
  // the mode's own level.
  const requested = cfg.level === undefined || cfg.level === '' ? 'debug' : cfg.level;
  const threshold = LEVEL_RANK[parseLevel(requested) ?? defaults.level];
  const file = isRecord(cfg.file_logger_options) ? fileSpec(cfg.file_logger_options, cwd) : undefined;
  const encoding = cfg.encoding === 'json' || cfg.encoding === 'console' ? cfg.encoding : defaults.encoding;
  let layout: Layout;
  if (file !== undefined || encoding === 'json') layout = 'json';
  else if (mode === 'production') layout = 'console-prod';
  else if (mode === 'raw') layout = 'raw';
  else layout = 'console-dev';
  return { threshold, layout, lineEnding, outputs: file === undefined ? paths(cfg.output, cwd) : [], errOutputs, file };
}

function modeOf(value: unknown, isRoot: boolean): ModeName {
  const mode = typeof value === 'string' ? value.toLowerCase() : '';
  // The root section gets InitDefault (development); a channel does not, so it falls back.
  if (mode === '') return isRoot ? 'development' : 'fallback';
  if (mode === 'none' || mode === 'off') return 'off';
  if (mode === 'development' || mode === 'production' || mode === 'raw') return mode;
  return 'fallback';
}

function fileSpec(cfg: Record<string, unknown>, cwd: string): FileLoggerSpec {
  const out = typeof cfg.log_output === 'string' && cfg.log_output !== '' ? cfg.log_output : resolve(tmpdir(), DEFAULT_FILE_NAME);
  // Zero or nonsense means "default", as in RoadRunner's FileLoggerConfig.InitDefaults.
  return {
    path: toPath(out, cwd),
    maxBytes: positive(cfg.max_size, 100) * MB,
    maxAgeDays: positive(cfg.max_age, 24),
    maxBackups: positive(cfg.max_backups, 10),
    compress: cfg.compress === true || cfg.compress === 'true',
  };
}

/** `output`-style lists: a list, or a string the way viper splits it (on commas). */
function paths(value: unknown, cwd: string): string[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  const out = items.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '');
  return (out.length === 0 ? ['stderr'] : out).map((p) => toPath(p, cwd));
}

function toPath(p: string, cwd: string): string {
  if (p === 'stdout' || p === 'stderr') return p;
  if (p.startsWith('file:')) return fileURLToPath(p);
  return resolve(cwd, p);
}

function positive(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

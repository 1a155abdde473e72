import type { LogLevel } from '@rr/plugin-api';

/**
 * Severity ranks, zap's order. Only debug..error are ever emitted (the Logger contract has no
 * panic/fatal methods), but a threshold of dpanic/panic/fatal is legal and silences everything.
 */
export const LEVEL_RANK = { debug: 0, info: 1, warn: 2, error: 3, dpanic: 4, panic: 5, fatal: 6 } as const;

export type Threshold = keyof typeof LEVEL_RANK;

/** A threshold above every level: the `none`/`off` modes. */
export const OFF_RANK = Number.POSITIVE_INFINITY;

/** The emitted levels, indexed by rank. */
export const EMITTED_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * zap's level parsing: case-insensitive, and `warning` is accepted for `warn` (older Octane sends
 * it). Anything else, the empty string included, yields undefined so the caller keeps the mode's
 * own level, exactly as RoadRunner ignores a level it cannot parse.
 */
export function parseLevel(value: unknown): Threshold | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const lower = value.toLowerCase();
  if (lower === 'warning') return 'warn';
  return Object.hasOwn(LEVEL_RANK, lower) ? (lower as Threshold) : undefined;
}

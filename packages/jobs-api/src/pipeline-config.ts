import { ConfigError, parseDuration } from '@rr/plugin-api';

type Raw = Readonly<Record<string, unknown>>;

/**
 * How lenient a driver's reader is. The drivers grew different rules before they shared this code,
 * and their users rely on them, so each rule is a switch rather than one policy for all.
 */
export interface PipelineConfigReaderOptions {
  /** int() and bool() also take '10' and 'true'/'false' (pipelines declared over RPC arrive as strings). */
  readonly acceptStrings?: boolean;
  /** str() reads '' as its default instead of as ''. */
  readonly emptyStringIsDefault?: boolean;
  /** int() reads '' as its default instead of rejecting it. */
  readonly emptyIntIsDefault?: boolean;
  /** durationMs() rejects a duration of zero or less that was written out (an absent key or 0 still gives the default). */
  readonly positiveDurations?: boolean;
}

/** Typed accessors over one raw config map; failures throw ConfigError naming `<path>.<key>`. */
export interface PipelineConfigReader {
  str(key: string, dflt: string): string;
  /** With `max`, failures say "an integer from min to max"; without, "an integer >= min". */
  int(key: string, dflt: number, min?: number, max?: number): number;
  bool(key: string, dflt?: boolean): boolean;
  /** Absent, null, '' and 0 give `dfltMs`; otherwise a Go-style duration (or nanoseconds) in ms. */
  durationMs(key: string, dfltMs: number): number;
  /** A map whose values become strings (objects as their JSON); absent gives {}. */
  stringMap(key: string): Record<string, string>;
}

/** Reads a jobs pipeline's `config` block (or a driver's own section) at the dotted `path`. */
export function pipelineConfigReader(raw: Raw, path: string, opts: PipelineConfigReaderOptions = {}): PipelineConfigReader {
  const at = (key: string): string => `${path}.${key}`;
  const absent = (v: unknown): v is undefined | null => v === undefined || v === null;
  return {
    str(key, dflt) {
      const v = raw[key];
      if (absent(v) || (opts.emptyStringIsDefault === true && v === '')) return dflt;
      if (typeof v !== 'string') throw new ConfigError(at(key), 'a string', v);
      return v;
    },
    int(key, dflt, min = 0, max) {
      const v = raw[key];
      if (absent(v) || (opts.emptyIntIsDefault === true && v === '')) return dflt;
      const n = opts.acceptStrings === true && typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
        throw new ConfigError(at(key), max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`, v);
      }
      return n;
    },
    bool(key, dflt = false) {
      const v = raw[key];
      if (absent(v)) return dflt;
      if (typeof v === 'boolean') return v;
      if (opts.acceptStrings === true && (v === 'true' || v === 'false')) return v === 'true';
      throw new ConfigError(at(key), 'a boolean', v);
    },
    durationMs(key, dfltMs) {
      const v = raw[key];
      if (absent(v) || v === '' || v === 0) return dfltMs;
      const ms = parseDuration(v, at(key));
      if (opts.positiveDurations === true && ms <= 0) throw new ConfigError(at(key), 'a positive duration such as 30s', v);
      return ms;
    },
    stringMap(key) {
      const v = raw[key];
      if (absent(v)) return {};
      if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(at(key), 'a map of names to values', v);
      const out: Record<string, string> = {};
      for (const [k, val] of Object.entries(v as Raw)) {
        // e.g. SQS's RedrivePolicy may be written as a map rather than as its JSON text.
        out[k] = typeof val === 'object' && val !== null ? JSON.stringify(val) : String(val);
      }
      return out;
    },
  };
}

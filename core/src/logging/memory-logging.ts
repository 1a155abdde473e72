import type { LogFields, Logger, LogLevel } from '@rr/plugin-api';
import type { Logging } from './logging.js';

/** One captured record. @public */
export interface MemoryRecord {
  level: LogLevel;
  logger: string;
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * A Logging that keeps records in an array instead of writing lines: for tests of other modules.
 * Every level is enabled; `fields` is a shallow copy taken when the record is made.
 * @public
 */
export function createMemoryLogging(): Logging & { records: MemoryRecord[] } {
  const records: MemoryRecord[] = [];
  const cache = new Map<string, Logger>();
  const make = (name: string): Logger => {
    const at = (level: LogLevel) => (msg: string, fields?: LogFields): void => {
      records.push({ level, logger: name, msg: typeof msg === 'string' ? msg : String(msg), fields: { ...fields } });
    };
    return { name, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isEnabled: () => true };
  };
  return {
    records,
    named(name: string): Logger {
      let logger = cache.get(name);
      if (logger === undefined) cache.set(name, (logger = make(name)));
      return logger;
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

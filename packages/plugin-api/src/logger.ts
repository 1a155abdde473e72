/** Structured fields attached to one log record. @public */
export type LogFields = Record<string, unknown>;

/**
 * A named logger, in RoadRunner's style: a message, then fields. Each plugin receives one named
 * after itself, so its records carry `"logger":"<plugin>"`.
 * @public
 */
export interface Logger {
  readonly name: string;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** True when records of this level would be written; lets hot paths skip building fields. */
  isEnabled(level: LogLevel): boolean;
}

/** @public */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Hands out loggers by name (`server`, `http`, `amqp`, …); a plugin may need more than its own. @public */
export interface LoggerFactory {
  named(name: string): Logger;
}

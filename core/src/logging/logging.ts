import type { LogFields, Logger, LoggerFactory, LogLevel } from '@rr/plugin-api';
import { RrError } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';
import { compileLogsSpec, type LoggerSpec } from './config.js';
import { lineFormat, type LineFn } from './format.js';
import { LEVEL_RANK, OFF_RANK } from './levels.js';
import { RotatingFileSink } from './rotating-file.js';
import { FdSink, FileSink, StreamSink, type Sink } from './sinks.js';

/** @public */
export interface LoggingOptions {
  /** Replaces the process's stdout for the `stdout` output. */
  stdout?: NodeJS.WritableStream;
  /** Replaces the process's stderr for the `stderr` output (and the default `err_output`). */
  stderr?: NodeJS.WritableStream;
  /** Overrides terminal detection of stdout/stderr (colour needs every output to be a terminal). */
  isTTY?: boolean;
  /** Read for NO_COLOR and TERM. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Relative output paths resolve against this. @default process.cwd() */
  cwd?: string;
}

/**
 * The `logs` plugin's service: named loggers writing RoadRunner-formatted lines.
 * @public
 */
export interface Logging extends LoggerFactory {
  /** Resolves once everything logged before the call has been written (call before exit). */
  flush(): Promise<void>;
  /** Flushes and closes log files; later records are dropped. */
  close(): Promise<void>;
}

/** One compiled logger configuration with its open sinks. */
interface Core {
  readonly threshold: number;
  readonly sinks: readonly Sink[];
  readonly lineFor: (name: string) => LineFn;
}

/**
 * Builds loggers from the raw `logs` section (undefined when the section is absent). Every output
 * of the root and of each channel is opened now, so a bad path fails startup with
 * RR_ERR_LOGS_OUTPUT instead of losing lines later.
 * @public
 */
export function createLogging(logsSection: unknown, opts: LoggingOptions = {}): Logging {
  const spec = compileLogsSpec(logsSection, opts.cwd ?? process.cwd());
  const env = opts.env ?? process.env;
  const colourAllowed = (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
  const sinks = new Map<string, Sink>();
  let errSinks: Sink[] = [];
  const reported = new WeakSet<Sink>();

  // zap's ErrorOutputPaths: the logger's own failures go there, never to the sink that failed.
  const report = (sink: Sink, err: Error): void => {
    if (reported.has(sink)) return;
    reported.add(sink);
    const line = `${new Date().toISOString()} write error: ${sink.key}: ${err.message}\n`;
    for (const s of errSinks) if (s !== sink) s.write(line);
  };

  const open = (key: string, context: string): Sink => {
    const existing = sinks.get(key);
    if (existing !== undefined) return existing;
    let sink: Sink;
    try {
      if (key === 'stdout' || key === 'stderr') {
        const stream = key === 'stdout' ? opts.stdout : opts.stderr;
        sink = stream === undefined ? new FdSink(key, report, opts.isTTY) : new StreamSink(key, stream, report, opts.isTTY);
      } else {
        sink = new FileSink(key, report);
      }
    } catch (err) {
      throw outputError(key, context, err);
    }
    sinks.set(key, sink);
    return sink;
  };

  const build = (cfg: LoggerSpec, context: string): Core => {
    if (cfg.threshold === OFF_RANK) return { threshold: OFF_RANK, sinks: [], lineFor: () => noLine };
    let list: Sink[];
    if (cfg.file !== undefined) {
      const file = cfg.file;
      const existing = sinks.get(file.path);
      if (existing !== undefined) list = [existing];
      else {
        try {
          list = [new RotatingFileSink(file, report)];
        } catch (err) {
          throw outputError(file.path, `${context}.file_logger_options.log_output`, err);
        }
        sinks.set(file.path, list[0]!);
      }
    } else {
      list = cfg.outputs.map((o) => open(o, `${context}.output`));
    }
    const colour = cfg.layout === 'console-dev' && colourAllowed && list.length > 0 && list.every((s) => s.isTTY);
    return { threshold: cfg.threshold, sinks: list, lineFor: lineFormat(cfg.layout, cfg.lineEnding, colour) };
  };

  let root: Core;
  const channels = new Map<string, Core>();
  try {
    errSinks = spec.root.errOutputs.map((o) => open(o, 'logs.err_output'));
    root = build(spec.root, 'logs');
    for (const [name, cfg] of spec.channels) channels.set(name, build(cfg, `logs.channels.${name}`));
  } catch (err) {
    for (const s of sinks.values()) void s.close();
    throw err;
  }

  const cache = new Map<string, Logger>();
  return {
    named(name: string): Logger {
      let logger = cache.get(name);
      if (logger === undefined) {
        logger = new NamedLogger(name, channels.get(name) ?? root);
        cache.set(name, logger);
      }
      return logger;
    },
    async flush(): Promise<void> {
      await Promise.all([...sinks.values()].map((s) => s.flush()));
    },
    // Closed sinks drop whatever is written after this.
    async close(): Promise<void> {
      await Promise.all([...sinks.values()].map((s) => s.close()));
    },
  };
}

const noLine: LineFn = () => '';

class NamedLogger implements Logger {
  readonly #threshold: number;
  readonly #line: LineFn;
  readonly #sinks: readonly Sink[];

  constructor(readonly name: string, core: Core) {
    this.#threshold = core.threshold;
    this.#line = core.lineFor(name);
    this.#sinks = core.sinks;
  }

  debug(msg: string, fields?: LogFields): void {
    if (this.#threshold <= 0) this.#emit(0, msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    if (this.#threshold <= 1) this.#emit(1, msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    if (this.#threshold <= 2) this.#emit(2, msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    if (this.#threshold <= 3) this.#emit(3, msg, fields);
  }

  isEnabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= this.#threshold;
  }

  #emit(rank: number, msg: string, fields: LogFields | undefined): void {
    // Callers in plain JS hand over Buffers (worker stderr chunks); keep them readable.
    const line = this.#line(rank, typeof msg === 'string' ? msg : String(msg), fields);
    for (const sink of this.#sinks) sink.write(line);
  }
}

function outputError(target: string, key: string, err: unknown): RrError {
  const reason = err instanceof Error ? err.message : String(err);
  return new RrError(
    ErrorCodes.LOGS_OUTPUT,
    `cannot open log output "${target}" (${key}): ${reason}. Point ${key} at a writable path, or use "stdout"/"stderr".`,
    { cause: err, phase: 'init', plugin: 'logs' },
  );
}

import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import type pinoNs from 'pino';

// pino (for its sonic-boom destination) loads when the first fd or file sink opens, not on import:
// `logs.mode: off` and commands that never log skip it. pino is CommonJS, so a synchronous require
// gives the instance an `import` would.
const requireLib = createRequire(import.meta.url);
let pinoLib: typeof pinoNs | undefined;
function pino(): typeof pinoNs {
  return (pinoLib ??= requireLib('pino') as typeof pinoNs);
}

/** Where finished lines go. Writes never throw: a failing sink reports once and goes quiet. */
export interface Sink {
  /** `stdout`, `stderr` or the absolute file path; also the registry key. */
  readonly key: string;
  readonly isTTY: boolean;
  write(line: string): void;
  /** Resolves once every line written so far has been handed to the OS. */
  flush(): Promise<void>;
  /** Flushes, then releases the file descriptor (never the process's own stdout/stderr). */
  close(): Promise<void>;
}

/** Called when a sink fails; the sink drops every later line. */
export type SinkErrorReporter = (sink: Sink, err: Error) => void;

export type Boom = ReturnType<typeof pinoNs.destination>;

/**
 * A line sink over a sonic-boom destination in sync mode: one write(2) per line with no JS-side
 * buffering. The first error is reported once and the sink goes quiet.
 */
abstract class BoomSink implements Sink {
  abstract readonly key: string;
  abstract readonly isTTY: boolean;
  protected dead = false;

  constructor(protected readonly boom: Boom, report: SinkErrorReporter) {
    // pino's own listener swallows EPIPE; ours keeps any other error from crashing the process.
    boom.on('error', (err: Error) => {
      if (this.dead) return;
      this.dead = true;
      report(this, err);
    });
  }

  write(line: string): void {
    if (!this.dead) this.boom.write(line);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  abstract close(): Promise<void>;
}

/**
 * The process's stdout/stderr in sync mode, so lines keep their order relative to anything else
 * written to the same fd (the CLI's banner), and nothing is lost when the process exits without
 * flushing — RoadRunner's writes are synchronous too.
 */
export class FdSink extends BoomSink {
  readonly isTTY: boolean;

  /** `fd` is only ever overridden by tests, to point the real write path at a file. */
  constructor(readonly key: 'stdout' | 'stderr', report: SinkErrorReporter, isTTY: boolean | undefined, fd = key === 'stdout' ? 1 : 2) {
    super(pino().destination({ dest: fd, sync: true }), report);
    this.isTTY = isTTY ?? isatty(fd);
  }

  /** The process's own stdout/stderr is never closed. */
  close(): Promise<void> {
    this.dead = true;
    return Promise.resolve();
  }
}

/** A caller-supplied stream (tests, embedding). flush() waits for every write callback. */
export class StreamSink implements Sink {
  readonly isTTY: boolean;
  #dead = false;
  #pending = 0;
  #waiters: Array<() => void> = [];
  readonly #stream: NodeJS.WritableStream;
  readonly #report: SinkErrorReporter;

  constructor(readonly key: string, stream: NodeJS.WritableStream, report: SinkErrorReporter, isTTY: boolean | undefined) {
    this.#stream = stream;
    this.#report = report;
    this.isTTY = isTTY ?? (stream as { isTTY?: boolean }).isTTY === true;
    stream.on('error', this.#fail);
  }

  readonly #fail = (err: Error): void => {
    if (this.#dead) return;
    this.#dead = true;
    this.#report(this, err);
  };

  readonly #written = (err?: Error | null): void => {
    if (err) this.#fail(err);
    this.#pending--;
    if (this.#pending === 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
    }
  };

  write(line: string): void {
    if (this.#dead) return;
    this.#pending++;
    try {
      this.#stream.write(line, this.#written);
    } catch (err) {
      this.#written(err as Error);
    }
  }

  flush(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    this.#dead = true;
    this.#stream.off('error', this.#fail);
  }
}

/** An append-only file (an `output` entry that is a path), opened synchronously so errors surface at startup. */
export class FileSink extends BoomSink {
  readonly isTTY = false;

  constructor(readonly key: string, report: SinkErrorReporter) {
    super(openFile(key), report);
  }

  close(): Promise<void> {
    this.dead = true;
    return endBoom(this.boom);
  }
}

/** Opens `path` for appending (creating its directory) in sync mode; throws when it cannot. */
export function openFile(path: string): Boom {
  return pino().destination({ dest: path, sync: true, mkdir: true, append: true });
}

/** Ends a sonic-boom and resolves when its fd is closed (or it was already unusable). */
export function endBoom(boom: Boom): Promise<void> {
  return new Promise((resolve) => {
    if ((boom as Boom & { destroyed?: boolean }).destroyed === true) return resolve();
    boom.once('close', () => resolve());
    boom.once('error', () => resolve());
    try {
      boom.end();
    } catch {
      resolve();
    }
  });
}

import { createReadStream, createWriteStream, existsSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { FileLoggerSpec } from './config.js';
import { endBoom, openFile, type Boom, type Sink, type SinkErrorReporter } from './sinks.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const STAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/;

/**
 * `file_logger_options`: a file rotated by size, lumberjack-style. When the next line would push
 * the file past `maxBytes`, it is renamed to `<name>-<UTC 2006-01-02T15-04-05.000><ext>` and a
 * fresh file is opened; backups beyond `maxBackups` or older than `maxAgeDays` are deleted, and
 * with `compress` each backup is gzipped in the background (flush() waits for that).
 */
export class RotatingFileSink implements Sink {
  readonly isTTY = false;
  readonly key: string;
  #dead = false;
  #size: number;
  readonly #boom: Boom;
  readonly #jobs = new Set<Promise<void>>();
  readonly #dir: string;
  readonly #stem: string;
  readonly #ext: string;

  readonly #report: SinkErrorReporter;
  readonly #now: () => number;

  /** `now` is injectable so tests can place backups in time. */
  constructor(readonly spec: FileLoggerSpec, report: SinkErrorReporter, now: () => number = Date.now) {
    this.#report = report;
    this.#now = now;
    this.key = spec.path;
    this.#dir = dirname(spec.path);
    this.#ext = extname(spec.path);
    this.#stem = basename(spec.path, this.#ext);
    this.#boom = openFile(spec.path);
    this.#size = statSync(spec.path).size;
    this.#boom.on('error', (err: Error) => this.#fail(err));
  }

  write(line: string): void {
    if (this.#dead) return;
    const bytes = Buffer.byteLength(line);
    // A line larger than the limit still goes into a file of its own rather than being dropped.
    if (this.#size > 0 && this.#size + bytes > this.spec.maxBytes) this.#rotate();
    this.#boom.write(line);
    this.#size += bytes;
  }

  async flush(): Promise<void> {
    while (this.#jobs.size > 0) await Promise.all(this.#jobs);
  }

  async close(): Promise<void> {
    await this.flush();
    this.#dead = true;
    await endBoom(this.#boom);
  }

  #fail(err: Error): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#report(this, err);
  }

  #rotate(): void {
    try {
      const backup = this.#backupPath();
      renameSync(this.spec.path, backup);
      // Sync mode: the new file is open before this returns; the old fd closes on the next tick.
      this.#boom.reopen();
      this.#size = 0;
      if (this.spec.compress) this.#track(gzipAndRemove(backup));
      this.#prune();
    } catch (err) {
      this.#fail(err as Error);
    }
  }

  #backupPath(): string {
    // Two rotations within one millisecond must not overwrite each other: step the stamp forward.
    for (let t = this.#now(); ; t++) {
      const candidate = join(this.#dir, `${this.#stem}-${stamp(t)}${this.#ext}`);
      if (!existsSync(candidate) && !existsSync(`${candidate}.gz`)) return candidate;
    }
  }

  #prune(): void {
    const byStamp = new Map<number, string[]>();
    for (const file of readdirSync(this.#dir)) {
      const time = this.#stampOf(file);
      if (time === undefined) continue;
      const files = byStamp.get(time) ?? [];
      files.push(file);
      byStamp.set(time, files);
    }
    const cutoff = this.#now() - this.spec.maxAgeDays * DAY_MS;
    const newestFirst = [...byStamp.keys()].sort((a, b) => b - a);
    newestFirst.forEach((time, i) => {
      if (i < this.spec.maxBackups && time >= cutoff) return;
      for (const file of byStamp.get(time)!) {
        try {
          unlinkSync(join(this.#dir, file));
        } catch {
          // Already gone (a finished compression removed it): nothing to do.
        }
      }
    });
  }

  #stampOf(file: string): number | undefined {
    const prefix = `${this.#stem}-`;
    if (!file.startsWith(prefix)) return undefined;
    let rest = file.slice(prefix.length);
    if (rest.endsWith('.gz')) rest = rest.slice(0, -3);
    if (!rest.endsWith(this.#ext)) return undefined;
    const m = STAMP.exec(this.#ext === '' ? rest : rest.slice(0, -this.#ext.length));
    return m === null ? undefined : Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  }

  #track(job: Promise<void>): void {
    const tracked = job.catch((err: unknown) => {
      // The backup may have been pruned mid-compression; anything else is worth reporting.
      if ((err as { code?: unknown }).code !== 'ENOENT') this.#report(this, err as Error);
    }).finally(() => this.#jobs.delete(tracked));
    this.#jobs.add(tracked);
  }
}

/** lumberjack's backup time format, `2006-01-02T15-04-05.000`, in UTC. */
export function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace(/:/g, '-');
}

async function gzipAndRemove(file: string): Promise<void> {
  await pipeline(createReadStream(file), createGzip(), createWriteStream(`${file}.gz`));
  await unlink(file);
}

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileLoggerSpec } from './config.js';
import { RotatingFileSink, stamp } from './rotating-file.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function spec(overrides: Partial<FileLoggerSpec> = {}): FileLoggerSpec {
  const dir = mkdtempSync(join(tmpdir(), 'rr-rotate-'));
  dirs.push(dir);
  return { path: join(dir, 'app.log'), maxBytes: 20, maxAgeDays: 24, maxBackups: 10, compress: false, ...overrides };
}

const noReport = (): void => {
  throw new Error('unexpected sink error');
};

/** A clock the test moves by hand, starting at a fixed instant. */
function clock(start = Date.UTC(2024, 5, 17, 13, 13, 20, 5)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('RotatingFileSink', () => {
  it('rotates before a line would pass max size, naming backups lumberjack-style', async () => {
    const s = spec();
    const c = clock();
    const sink = new RotatingFileSink(s, noReport, c.now);
    sink.write('0123456789\n'); // 11 bytes
    sink.write('abcdefghi\n'); // 21 would exceed 20: rotate first
    c.advance(1000);
    sink.write('ABCDEFGHIJ\n');
    await sink.close();
    const dir = join(s.path, '..');
    expect(readdirSync(dir).sort()).toEqual(['app-2024-06-17T13-13-20.005.log', 'app-2024-06-17T13-13-21.005.log', 'app.log']);
    expect(readFileSync(join(dir, 'app-2024-06-17T13-13-20.005.log'), 'utf8')).toBe('0123456789\n');
    expect(readFileSync(join(dir, 'app-2024-06-17T13-13-21.005.log'), 'utf8')).toBe('abcdefghi\n');
    expect(readFileSync(s.path, 'utf8')).toBe('ABCDEFGHIJ\n');
  });

  it('counts what the file already holds, and never loses an oversized line', async () => {
    const s = spec();
    writeFileSync(s.path, '0123456789012345\n'); // 17 bytes already there
    const sink = new RotatingFileSink(s, noReport, clock().now);
    sink.write('a line far longer than twenty bytes\n');
    await sink.close();
    const files = readdirSync(join(s.path, '..'));
    expect(files).toHaveLength(2);
    expect(readFileSync(s.path, 'utf8')).toBe('a line far longer than twenty bytes\n');
  });

  it('keeps backups apart when rotating twice in one millisecond', async () => {
    const s = spec({ maxBytes: 5 });
    const sink = new RotatingFileSink(s, noReport, clock().now);
    for (const l of ['aaaa\n', 'bbbb\n', 'cccc\n', 'dddd\n']) sink.write(l);
    await sink.close();
    const dir = join(s.path, '..');
    const contents = readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(contents).toEqual(['aaaa\n', 'bbbb\n', 'cccc\n', 'dddd\n']);
  });

  it('keeps at most max_backups backups, newest first', async () => {
    const s = spec({ maxBytes: 5, maxBackups: 2 });
    const c = clock();
    const sink = new RotatingFileSink(s, noReport, c.now);
    for (const l of ['1111\n', '2222\n', '3333\n', '4444\n', '5555\n']) {
      sink.write(l);
      c.advance(10);
    }
    await sink.close();
    const dir = join(s.path, '..');
    const backups = readdirSync(dir).filter((f) => f !== 'app.log').sort();
    expect(backups.map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(['3333\n', '4444\n']);
    expect(readFileSync(s.path, 'utf8')).toBe('5555\n');
  });

  it('deletes backups older than max_age days, judged by their name', async () => {
    const s = spec({ maxBytes: 5, maxAgeDays: 1 });
    const c = clock();
    const dir = join(s.path, '..');
    const old = `app-${stamp(c.now() - 2 * 86_400_000)}.log`;
    const recent = `app-${stamp(c.now() - 3_600_000)}.log`;
    writeFileSync(join(dir, old), 'old\n');
    writeFileSync(join(dir, recent), 'recent\n');
    writeFileSync(join(dir, 'unrelated.log'), 'keep\n');
    const sink = new RotatingFileSink(s, noReport, c.now);
    sink.write('1111\n');
    sink.write('2222\n');
    await sink.close();
    expect(readdirSync(dir).sort()).toEqual([`app-${stamp(c.now())}.log`, recent, 'app.log', 'unrelated.log'].sort());
  });

  it('gzips backups when compress is set; flush() waits for it', async () => {
    const s = spec({ maxBytes: 5, compress: true });
    const sink = new RotatingFileSink(s, noReport, clock().now);
    sink.write('1111\n');
    sink.write('2222\n');
    await sink.flush();
    const dir = join(s.path, '..');
    const backup = `app-${stamp(clock().now())}.log.gz`;
    expect(readdirSync(dir).sort()).toEqual([backup, 'app.log']);
    expect(gunzipSync(readFileSync(join(dir, backup))).toString()).toBe('1111\n');
    await sink.close();
  });
});

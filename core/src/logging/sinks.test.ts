import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FdSink, type Sink } from './sinks.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('FdSink (the process stdout/stderr path)', () => {
  it('writes each line synchronously: the bytes are there when write returns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-fd-'));
    dirs.push(dir);
    const path = join(dir, 'out');
    const fd = openSync(path, 'w');
    try {
      const sink = new FdSink('stdout', () => {}, false, fd);
      sink.write('one\n');
      expect(readFileSync(path, 'utf8')).toBe('one\n');
      sink.write('two\n');
      expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n');
      expect(sink.isTTY).toBe(false);
    } finally {
      closeSync(fd);
    }
  });

  it('reports a failing descriptor once and then drops lines without throwing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-fd-'));
    dirs.push(dir);
    const fd = openSync(join(dir, 'out'), 'w');
    closeSync(fd);
    const errors: Array<[Sink, Error]> = [];
    const sink = new FdSink('stderr', (s, e) => errors.push([s, e]), false, fd);
    expect(() => {
      sink.write('lost\n');
      sink.write('lost too\n');
    }).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe(sink);
    expect((errors[0]![1] as NodeJS.ErrnoException).code).toBe('EBADF');
  });
});

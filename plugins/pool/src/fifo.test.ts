import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFifoPair } from './fifo.js';

const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;

/** The open-file flags of one of our fds, from /proc/self/fdinfo. */
function fdFlags(fd: number): number {
  const m = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
  return parseInt(m![1]!, 8);
}

function openFds(): string[] {
  return readdirSync('/proc/self/fd');
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function parentDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rr-fifo-test-'));
  dirs.push(d);
  return d;
}

describe.runIf(process.platform === 'linux')('openFifoPair', () => {
  it('returns two FIFOs: blocking ends for the child, non-blocking ones for rr, all close-on-exec, nothing left on disk', async () => {
    const dir = parentDir();
    const p = await openFifoPair({ dir });
    try {
      expect(readdirSync(dir)).toEqual([]);
      for (const fd of [p.childStdin, p.childStdout, p.toWorker, p.fromWorker]) {
        expect(fstatSync(fd).isFIFO()).toBe(true);
        expect(fdFlags(fd) & O_CLOEXEC).toBe(O_CLOEXEC);
      }
      expect(fdFlags(p.childStdin) & O_NONBLOCK).toBe(0);
      expect(fdFlags(p.childStdout) & O_NONBLOCK).toBe(0);
      expect(fdFlags(p.toWorker) & O_NONBLOCK).toBe(O_NONBLOCK);
      expect(fdFlags(p.fromWorker) & O_NONBLOCK).toBe(O_NONBLOCK);
      expect(fstatSync(p.childStdin).ino).toBe(fstatSync(p.toWorker).ino);
      expect(fstatSync(p.childStdout).ino).toBe(fstatSync(p.fromWorker).ino);
    } finally {
      for (const fd of [p.childStdin, p.childStdout, p.toWorker, p.fromWorker]) closeSync(fd);
    }
  });

  it('carries 1 MB through a child both ways, and EOF once each side closes', async () => {
    const p = await openFifoPair({ dir: parentDir() });
    const child = spawn('cat', [], { stdio: [p.childStdin, p.childStdout, 'inherit'] });
    closeSync(p.childStdin);
    closeSync(p.childStdout);
    const toWorker = new Socket({ fd: p.toWorker, readable: false, writable: true });
    const fromWorker = new Socket({ fd: p.fromWorker, readable: true, writable: false });
    const chunks: Buffer[] = [];
    fromWorker.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve) => fromWorker.once('end', resolve));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const sent = Buffer.alloc(1024 * 1024, 7);
    // More than the 64 KiB pipe buffer: only completes if cat reads while we write (blocking child end).
    toWorker.end(sent, () => toWorker.destroy()); // closing rr's end is cat's EOF
    expect(await exited).toBe(0);
    await ended; // cat's exit closed the last writer: rr reads EOF
    expect(Buffer.concat(chunks).equals(sent)).toBe(true);
  });

  it('fails without leaving a temp dir or an open fd when mkfifo is missing', async () => {
    const dir = parentDir();
    const before = openFds().length;
    await expect(openFifoPair({ dir, mkfifo: '/nonexistent/mkfifo' })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(dir)).toEqual([]);
    expect(openFds().length).toBe(before);
  });

  it('fails when the parent directory does not exist', async () => {
    await expect(openFifoPair({ dir: join(parentDir(), 'missing') })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

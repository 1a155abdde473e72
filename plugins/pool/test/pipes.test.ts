import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PipesTransport } from '../src/transport.js';
import { MemoryLogger, createTestPool, destroyTestPools, payload, tempDir, text, until } from './helpers.js';

const O_NONBLOCK = 0o4000;
const FALLBACK_LOG = 'pipes relay: cannot create FIFOs, workers get socketpairs as STDIN/STDOUT';

const cleanups: Array<() => void> = [];
afterEach(async () => {
  await destroyTestPools();
  for (const c of cleanups.splice(0)) c();
});

function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** What one of a process's fds is: its /proc link, file type, inode and O_NONBLOCK. */
function fdOf(pid: number, fd: number | string): { link: string; fifo: boolean; socket: boolean; ino: number; nonblock: boolean } {
  const st = statSync(`/proc/${pid}/fd/${fd}`);
  const flags = parseInt(/^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1'))![1]!, 8);
  return { link: readlinkSync(`/proc/${pid}/fd/${fd}`), fifo: st.isFIFO(), socket: st.isSocket(), ino: st.ino, nonblock: (flags & O_NONBLOCK) !== 0 };
}

/** Inodes of every fd of a process that we can stat. */
function inodesOf(pid: number | 'self'): number[] {
  const out: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.push(statSync(`/proc/${pid}/fd/${fd}`).ino);
    } catch {
      // closed meanwhile (readdir's own fd)
    }
  }
  return out;
}

describe.runIf(process.platform === 'linux')('pipes relay on FIFOs', () => {
  it("gives each worker blocking FIFOs as STDIN/STDOUT, leaves no file behind, and leaks no end to rr's other children", async () => {
    const fifoDir = dir();
    const logger = new MemoryLogger();
    const { pool } = await createTestPool({ transport: new PipesTransport({ fifo: { dir: fifoDir } }), logger, config: { num_workers: 3 } });
    expect(readdirSync(fifoDir)).toEqual([]);
    const pids = pool.workers().map((w) => w.pid);
    const ends = new Map<number, number[]>();
    for (const pid of pids) {
      const stdin = fdOf(pid, 0);
      const stdout = fdOf(pid, 1);
      // A FIFO shows as its (now deleted) path, an anonymous pipe as "pipe:[…]"; both are pipes.
      for (const e of [stdin, stdout]) {
        expect(e.fifo).toBe(true);
        expect(e.link).toMatch(/^pipe:\[\d+\]$|\(deleted\)$/);
        expect(e.nonblock).toBe(false);
      }
      ends.set(pid, [stdin.ino, stdout.ino]);
    }
    for (const pid of pids) {
      const theirs = new Set(ends.get(pid));
      const others = [...ends].filter(([p]) => p !== pid).flatMap(([, inos]) => inos);
      const held = inodesOf(pid);
      expect(held.filter((ino) => theirs.has(ino))).toHaveLength(2); // fd 0 and fd 1 only
      expect(held.filter((ino) => others.includes(ino))).toEqual([]);
    }
    // rr holds exactly its own end of each FIFO: the child's ends were closed after the spawn.
    const mine = inodesOf('self');
    for (const [, inos] of ends) for (const ino of inos) expect(mine.filter((i) => i === ino)).toHaveLength(1);
    expect(logger.messages('debug')).not.toContain(FALLBACK_LOG);
    expect(text(await pool.exec(payload('echo', 'over fifos'))).body).toBe('over fifos');
  });

  it('closes every FIFO end of a recycled worker: after 30 worker lifetimes rr holds only the live workers\' ends', async () => {
    const fifoDir = dir();
    // FIFO fds show as "<fifoDir>/rr-fifo-…/std… (deleted)".
    const fifoFds = (): number => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(fifoDir);
      } catch {
        return false;
      }
    }).length;
    const { pool } = await createTestPool({ transport: new PipesTransport({ fifo: { dir: fifoDir } }), config: { num_workers: 2, max_jobs: 1 } });
    for (let i = 0; i < 30; i++) expect(text(await pool.exec(payload('echo', `r${i}`))).body).toBe(`r${i}`);
    await until(() => pool.workers().filter((w) => w.status === 'ready').length === 2 && pool.workers().length === 2, (cb) => {
      pool.events.on('workerReady', cb);
      pool.events.on('workerExit', cb);
      return () => {
        pool.events.off('workerReady', cb);
        pool.events.off('workerExit', cb);
      };
    }, 10_000, 'two ready workers and no retiring one');
    expect(fifoFds()).toBe(4);
    await destroyTestPools();
    expect(fifoFds()).toBe(0);
    expect(readdirSync(fifoDir)).toEqual([]);
  });

  it('falls back to socketpairs when mkfifo is missing, says why once at debug level, and still serves', async () => {
    const logger = new MemoryLogger();
    const transport = new PipesTransport({ fifo: { dir: dir(), mkfifo: '/nonexistent/mkfifo' } });
    const { pool } = await createTestPool({ transport, logger, config: { num_workers: 2 } });
    for (const w of pool.workers()) {
      expect(fdOf(w.pid, 0).socket).toBe(true);
      expect(fdOf(w.pid, 1).socket).toBe(true);
    }
    const fallbacks = logger.records.filter((r) => r.msg === FALLBACK_LOG);
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]!.level).toBe('debug');
    expect(String(fallbacks[0]!.fields?.['reason'])).toContain('ENOENT');
    const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
    const r = await pool.exec({ context: Buffer.from('{}'), body: big });
    expect(Buffer.from(r.body).equals(big)).toBe(true);
  });

  it('falls back when the temp dir cannot be created', async () => {
    const logger = new MemoryLogger();
    const transport = new PipesTransport({ fifo: { dir: join(dir(), 'missing') } });
    const { pool } = await createTestPool({ transport, logger, config: { num_workers: 1 } });
    expect(fdOf(pool.workers()[0]!.pid, 0).socket).toBe(true);
    expect(logger.messages('debug')).toContain(FALLBACK_LOG);
    expect(text(await pool.exec(payload('echo', 'over sockets'))).body).toBe('over sockets');
  });
});

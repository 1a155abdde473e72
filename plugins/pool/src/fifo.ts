import { execFile } from 'node:child_process';
import { close, constants, open } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { O_RDONLY, O_WRONLY, O_NONBLOCK } = constants;

/**
 * The two FIFOs of one worker, open and already unlinked: what the child gets as STDIN/STDOUT
 * (blocking ends, as spiral/goridge's StreamRelay expects) and rr's ends (non-blocking once libuv
 * opens them as pipes). Every fd is O_CLOEXEC (libuv opens that way), so no other child inherits
 * them; spawn's dup2 onto 0/1 clears the flag for the worker only.
 */
export interface FifoPair {
  /** Read end of the request FIFO: the worker's STDIN. */
  readonly childStdin: number;
  /** Write end of the response FIFO: the worker's STDOUT. */
  readonly childStdout: number;
  /** rr's write end of the request FIFO. */
  readonly toWorker: number;
  /** rr's read end of the response FIFO. */
  readonly fromWorker: number;
}

export interface FifoOptions {
  /** Parent of the private temp dir. @default os.tmpdir() */
  readonly dir?: string;
  /** The mkfifo program. @default 'mkfifo' (from PATH) */
  readonly mkfifo?: string;
}

function openFd(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => open(path, flags, (err, fd) => (err ? reject(err) : resolve(fd))));
}

/** Closes an fd in the background; an error means it was not open, nothing to undo. */
export function closeFd(fd: number): void {
  close(fd, () => {});
}

function mkfifo(program: string, paths: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(program, ['-m', '600', ...paths], { timeout: 10_000 }, (err, _stdout, stderr) => {
      if (err === null) resolve();
      else reject(stderr.trim() !== '' ? new Error(`${program}: ${stderr.trim()}`, { cause: err }) : err);
    });
  });
}

/**
 * Creates a request and a response FIFO for one worker. Node has no pipe(2), but FIFOs give the same
 * kernel object (pipe_write is cheaper than a unix socketpair's sendmsg + wakeup). The open order
 * never blocks: a FIFO open for writing needs a reader and a blocking open for reading needs a
 * writer, so a throwaway non-blocking reader comes first. The FIFO files are removed before this
 * returns, so nothing is left on disk even if rr is SIGKILLed later.
 * @throws the first failing step's error (no mkfifo, no temp dir, EMFILE, …); nothing stays open.
 */
export async function openFifoPair(o: FifoOptions = {}): Promise<FifoPair> {
  const dir = await mkdtemp(join(o.dir ?? tmpdir(), 'rr-fifo-')); // mode 0700
  const opened: number[] = [];
  const track = async (p: Promise<number>): Promise<number> => {
    const fd = await p;
    opened.push(fd);
    return fd;
  };
  try {
    const req = join(dir, 'stdin');
    const res = join(dir, 'stdout');
    await mkfifo(o.mkfifo ?? 'mkfifo', [req, res]);
    const probe = await track(openFd(req, O_RDONLY | O_NONBLOCK));
    const toWorker = await track(openFd(req, O_WRONLY | O_NONBLOCK));
    // Blocking mode for the worker; does not block: a writer (ours) exists.
    const childStdin = await track(openFd(req, O_RDONLY));
    const fromWorker = await track(openFd(res, O_RDONLY | O_NONBLOCK));
    // Blocking mode for the worker; does not block: a reader (ours) exists.
    const childStdout = await track(openFd(res, O_WRONLY));
    await rm(dir, { recursive: true });
    closeFd(probe);
    return { childStdin, childStdout, toWorker, fromWorker };
  } catch (err) {
    for (const fd of opened) closeFd(fd);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

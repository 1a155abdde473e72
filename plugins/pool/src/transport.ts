import type { ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { PipeRelay, SocketRelayServer, pidHandshake, type Relay, type SocketDsn } from '@rr/goridge';
import type { Logger } from '@rr/plugin-api';
import { closeFd, openFifoPair, type FifoOptions, type FifoPair } from './fifo.js';
import type { WorkerLink, WorkerTransport } from './worker.js';

async function handshake(relay: Relay, timeoutMs: number, signal: AbortSignal): Promise<Relay> {
  try {
    await pidHandshake(relay, { timeoutMs, signal });
  } catch (err) {
    relay.destroy();
    throw err;
  }
  return relay;
}

/** Worker STDIN/STDOUT as libuv's `'pipe'` stdio: unix socketpairs (the fallback). */
const socketpairLink: WorkerLink = {
  stdio: ['pipe', 'pipe', 'pipe'],
  spawned() {},
  connect: (child, _pid, timeoutMs, signal) => handshake(PipeRelay.fromChild(child), timeoutMs, signal),
  close() {},
};

/** Worker STDIN/STDOUT as FIFOs; the relay exists (and buffers) before the spawn. */
function fifoLink(p: FifoPair): WorkerLink {
  let relay: PipeRelay;
  try {
    // libuv's uv_pipe_open makes rr's ends non-blocking; the worker's ends are other open file
    // descriptions and stay blocking.
    relay = PipeRelay.fromFds(p.fromWorker, p.toWorker);
  } catch (err) {
    closeFd(p.childStdin);
    closeFd(p.childStdout);
    throw err;
  }
  let childEnds = true;
  const spawned = (): void => {
    // Only the worker may hold them: EOF on either side must mean the other side is gone. Closed
    // before spawn() returns to its caller (close(2) of a pipe end never blocks), so a worker that
    // dies at once is seen as EOF.
    if (!childEnds) return;
    childEnds = false;
    closeSync(p.childStdin);
    closeSync(p.childStdout);
  };
  return {
    stdio: [p.childStdin, p.childStdout, 'pipe'],
    spawned,
    connect: (_child, _pid, timeoutMs, signal) => handshake(relay, timeoutMs, signal),
    close() {
      spawned();
      relay.destroy();
    },
  };
}

export interface PipesTransportOptions {
  /** Where and how FIFOs are made; false = always socketpairs. @default {} */
  readonly fifo?: FifoOptions | false;
}

/**
 * `pipes`: frames on the worker's STDIN/STDOUT; the handshake is sent right after spawn. STDIN and
 * STDOUT are real pipes (FIFOs) as with RoadRunner's os/exec: pipe writes cost less kernel time than
 * a socketpair's sendmsg + wakeup, on both sides. When FIFOs cannot be made (no mkfifo, no writable
 * temp dir, not Linux) the worker gets libuv's socketpairs instead; the reason is logged once at
 * debug level.
 */
export class PipesTransport implements WorkerTransport {
  readonly kind = 'pipes' as const;
  readonly address = 'pipes';
  readonly #fifo: FifoOptions | false;
  readonly #reported = new Set<string>();

  constructor(o: PipesTransportOptions = {}) {
    this.#fifo = process.platform === 'win32' ? false : (o.fifo ?? {});
  }

  async link(logger: Logger): Promise<WorkerLink> {
    if (this.#fifo === false) return socketpairLink;
    try {
      return fifoLink(await openFifoPair(this.#fifo));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const key = e.code ?? e.message;
      if (!this.#reported.has(key)) {
        this.#reported.add(key);
        logger.debug('pipes relay: cannot create FIFOs, workers get socketpairs as STDIN/STDOUT', { reason: e.message });
      }
      return socketpairLink;
    }
  }
}

/** The default `pipes` transport (FIFOs in os.tmpdir()). */
export const pipesTransport = new PipesTransport();

/**
 * `tcp://` and `unix://`: rr listens, every worker connects back and is matched by the pid it
 * reports. One listener serves every pool of the server plugin, as in RoadRunner.
 */
export class SocketTransport implements WorkerTransport {
  readonly kind = 'socket' as const;
  readonly #link: WorkerLink;

  private constructor(private readonly server: SocketRelayServer) {
    this.#link = {
      stdio: ['ignore', 'pipe', 'pipe'],
      spawned() {},
      connect: (_child: ChildProcess, pid, timeoutMs, signal) => server.waitForPid(pid, timeoutMs, signal),
      close() {},
    };
  }

  static async listen(dsn: SocketDsn, onWarning: (message: string) => void): Promise<SocketTransport> {
    const server = await SocketRelayServer.listen(dsn, { onWarning: (m) => onWarning(m) });
    return new SocketTransport(server);
  }

  /** What workers dial (RR_RELAY): the actual port, loopback for a wildcard host, an absolute path. */
  get address(): string {
    return this.server.address;
  }

  link(): Promise<WorkerLink> {
    return Promise.resolve(this.#link);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

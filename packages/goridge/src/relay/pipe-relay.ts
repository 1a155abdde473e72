// The module binding, not globalThis.Buffer (an accessor): a plain load on the per-read path.
import { Buffer } from 'node:buffer';
import type { ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { Socket, type SocketConstructorOpts, type OnReadOpts } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { GoridgeError, GoridgeErrorCodes } from '../errors.js';
import { StreamRelay, type StreamRelayIo } from './stream-relay.js';
import type { RelayOptions } from './relay.js';

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // not open
  }
}

/** The one read buffer of a relay made by {@link PipeRelay.fromFds}: the size of a pipe's buffer. */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * The `pipes` relay: frames to the worker go to its STDIN, frames from it come from its STDOUT.
 * It does not own the process; closing the relay closes the pipes (PHP then reads EOF), nothing more.
 */
export class PipeRelay extends StreamRelay {
  constructor(stdout: Readable, stdin: Writable, options: RelayOptions = {}, io: StreamRelayIo = {}) {
    super(stdout, stdin, options, io);
  }

  /** Wraps a child spawned with `stdio: ['pipe', 'pipe', …]`. */
  static fromChild(child: ChildProcess, options: RelayOptions = {}): PipeRelay {
    if (child.stdout === null || child.stdin === null) {
      throw new GoridgeError(
        GoridgeErrorCodes.IO,
        `cannot create a pipes relay for process ${child.pid ?? '(not started)'}: its STDIN/STDOUT are not ` +
          "pipes; spawn it with stdio ['pipe', 'pipe', 'pipe']",
      );
    }
    return new PipeRelay(child.stdout, child.stdin, options);
  }

  /**
   * Wraps rr's ends of two pipes (or FIFOs): `readFd` carries the worker's STDOUT, `writeFd` its
   * STDIN. The relay owns both fds from now on (closing it closes them). Cheaper per frame than
   * {@link fromChild}: reads land in one reused buffer and only the bytes read are copied out (no
   * 64 KiB allocation and stream bookkeeping per read), and a frame is written with one write(2)
   * when nothing is queued.
   * @throws when an fd cannot be opened as a pipe (EBADF, not a pipe); both fds are closed then too.
   */
  static fromFds(readFd: number, writeFd: number, options: RelayOptions = {}): PipeRelay {
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    let relay: PipeRelay | undefined;
    const onread: OnReadOpts = {
      buffer,
      callback: (n: number): boolean => {
        // The read buffer is reused by the next read; the parser hands out views: copy.
        const chunk = Buffer.allocUnsafe(n);
        buffer.copy(chunk, 0, 0, n);
        relay!.receive(chunk);
        return true;
      },
    };
    // Typed in @types/node 20 for connect() only; Node reads it in the constructor too.
    let readable: Socket | undefined;
    let writable: Socket;
    try {
      readable = new Socket({ fd: readFd, readable: true, writable: false, onread } as SocketConstructorOpts);
      writable = new Socket({ fd: writeFd, readable: false, writable: true });
    } catch (err) {
      if (readable !== undefined) readable.destroy();
      else closeQuietly(readFd);
      closeQuietly(writeFd);
      throw err;
    }
    relay = new PipeRelay(readable, writable, options, { pushed: true, writeFd });
    return relay;
  }
}

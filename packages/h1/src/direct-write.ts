import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';

type WithFd = { _handle?: { fd?: number } | null };

/**
 * Writes `data[0..length)` to a connected socket with one write(2) when nothing is queued, else
 * through the stream. node's Writable path (write wrap, after-write tick, buffer bookkeeping) costs
 * more than the syscall itself for a small response; what the kernel does not take at once (EAGAIN
 * or a partial write, or an error) goes through `socket.write`, so ordering, back-pressure and error
 * reporting stay node's. `data` may be a buffer the caller reuses as soon as this returns (see
 * {@link scratchBuffer}): what is queued is copied first.
 * Returns what `socket.write` would: false once data waits in user space.
 */
export function writeTransient(socket: Socket, data: Buffer, length: number): boolean {
  const fd = (socket as unknown as WithFd)._handle?.fd;
  let written = 0;
  if (fd !== undefined && fd >= 0 && socket.writableLength === 0 && socket.writableCorked === 0 && !socket.destroyed && !socket.connecting) {
    try {
      written = writeSync(fd, data, 0, length);
    } catch {
      // EAGAIN (the send buffer is full), EPIPE, ECONNRESET…: the stream writes it, or meets the same
      // error and reports it its usual way ('error', then 'close'). @rr/goridge's relays do the same.
    }
    if (written === length) return true;
  }
  const rest = data.subarray(written, length);
  return socket.write(Buffer.from(rest));
}

let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * A buffer of at least `size` bytes for {@link writeTransient}, shared by every response (one thread,
 * and writeTransient is done with it when it returns).
 */
export function scratchBuffer(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  return scratch;
}

import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';

type WithFd = { _handle?: { fd?: number } | null };

/**
 * Writes `data` to a connected socket with one write(2) when nothing is queued, else through the
 * stream. node's Writable path (write wrap, after-write tick, buffer bookkeeping) costs more than
 * the syscall itself for a small response; what the kernel does not take at once (EAGAIN or a
 * partial write) goes through `socket.write`, so ordering and back-pressure stay node's.
 * Returns what `socket.write` would: false once data waits in user space.
 */
export function writeDirect(socket: Socket, data: Buffer): boolean {
  const fd = (socket as unknown as WithFd)._handle?.fd;
  if (fd === undefined || fd < 0 || socket.writableLength > 0 || socket.writableCorked > 0 || socket.destroyed || socket.connecting) {
    return socket.write(data);
  }
  let written: number;
  try {
    written = writeSync(fd, data);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return socket.write(data);
    // EPIPE, ECONNRESET: the peer is gone; 'close' tells everyone else.
    socket.destroy(err as Error);
    return false;
  }
  return written === data.length ? true : socket.write(data.subarray(written));
}

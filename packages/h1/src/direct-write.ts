import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';

type WithFd = { _handle?: { fd?: number } | null };

/**
 * Writes `data` to a connected socket with one write(2) when nothing is queued, else through the
 * stream. node's Writable path (write wrap, after-write tick, buffer bookkeeping) costs more than
 * the syscall itself for a small response; what the kernel does not take at once (EAGAIN or a
 * partial write, or an error) goes through `socket.write`, so ordering, back-pressure and error
 * reporting stay node's.
 * Returns what `socket.write` would: false once data waits in user space.
 */
export function writeDirect(socket: Socket, data: Buffer): boolean {
  const fd = (socket as unknown as WithFd)._handle?.fd;
  if (fd === undefined || fd < 0 || socket.writableLength > 0 || socket.writableCorked > 0 || socket.destroyed || socket.connecting) {
    return socket.write(data);
  }
  let written = 0;
  try {
    written = writeSync(fd, data);
  } catch {
    // EAGAIN (the send buffer is full), EPIPE, ECONNRESET…: the stream writes it, or meets the same
    // error and reports it its usual way ('error', then 'close'). @rr/goridge's relays do the same.
  }
  if (written === data.length) return true;
  return socket.write(written === 0 ? data : data.subarray(written));
}

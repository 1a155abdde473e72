import type { ChildProcess } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { STOP_FRAME_BYTES } from '../control.js';
import { Flag, encodeFrame } from '../frame.js';
import { FrameParser } from '../parser.js';
import { fifoPair } from '../test-support/fifo.js';
import { ECHO_WORKER, exited, killAll, spawnPhp } from '../test-support/php.js';
import { pidHandshake } from './handshake.js';
import { PipeRelay } from './pipe-relay.js';
import type { Frame, FrameInput } from '../frame.js';
import type { Relay, RelayOptions } from './relay.js';

afterEach(killAll);

/** Sends `frames` and resolves with the same number of received frames. */
function roundTrip(relay: Relay, frames: FrameInput[]): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const got: Frame[] = [];
    relay.onClose((err) => reject(err ?? new Error('closed early')));
    relay.setFrameHandler((f) => {
      got.push(f);
      if (got.length === frames.length) resolve(got);
    });
    for (const f of frames) relay.send(f);
  });
}

function closeOf(relay: Relay): Promise<Error | undefined> {
  return new Promise((resolve) => relay.onClose(resolve));
}

type Start = (args: string[], options?: RelayOptions) => { child: ChildProcess; relay: PipeRelay };

/** Spawned with stdio 'pipe' (libuv socketpairs), relay from the child's streams. */
const onSocketpairs: Start = (args, options) => {
  const child = spawnPhp(args);
  return { child, relay: PipeRelay.fromChild(child, options) };
};

/** Spawned on two FIFOs, relay from rr's fds (onread reads, direct writes). */
const onFifos: Start = (args, options) => {
  const p = fifoPair();
  const child = spawnPhp(args, {}, [p.childStdin, p.childStdout, 'pipe']);
  closeSync(p.childStdin);
  closeSync(p.childStdout);
  return { child, relay: PipeRelay.fromFds(p.fromChild, p.toChild, options) };
};

describe.each([
  ['fromChild (socketpairs)', onSocketpairs],
  ['fromFds (FIFOs)', onFifos],
])('PipeRelay.%s with a real PHP worker', (_name, start) => {
  it('does the pid handshake, echoes frames of every size, and stops on F3', async () => {
    const { child, relay } = start([ECHO_WORKER]);
    const pid = await pidHandshake(relay, { timeoutMs: 10_000 });
    expect(pid).toBe(child.pid);

    const sizes = [0, 1, 100, 16 * 1024 - 1, 16 * 1024, 70_000, 300_000];
    const frames = sizes.map((n, i) => ({
      flags: Flag.CODEC_JSON,
      options: [Math.min(n, 7)],
      payload: Buffer.alloc(n, i + 1),
      stream: 0,
    }));
    const echoed = await roundTrip(relay, frames);
    echoed.forEach((f, i) => {
      expect(f.flags).toBe(Flag.CODEC_JSON);
      expect([...f.options]).toEqual(frames[i]!.options);
      expect(f.payload.equals(frames[i]!.payload)).toBe(true);
    });

    const closed = closeOf(relay);
    relay.sendEncoded(STOP_FRAME_BYTES);
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(await closed).toBeUndefined();
  });

  it('reports a worker printing to STDOUT as a CRC error showing the text', async () => {
    const { child, relay } = start([ECHO_WORKER], { garbageWaitMs: 50 });
    await pidHandshake(relay, { timeoutMs: 10_000 });
    const closed = closeOf(relay);
    relay.send({ options: [0], payload: Buffer.from('garbage') });
    const err = (await closed) as { code?: string; message: string };
    expect(err.code).toBe('RR_ERR_GORIDGE_CRC');
    expect(err.message).toContain('Hello from PHP echo');
  });

  it('reports a worker dying mid-frame as TRUNCATED', async () => {
    const { child, relay } = start([ECHO_WORKER]);
    await pidHandshake(relay, { timeoutMs: 10_000 });
    const closed = closeOf(relay);
    relay.send({ options: [0], payload: Buffer.from('die-mid-frame') });
    expect(((await closed) as { code?: string }).code).toBe('RR_ERR_GORIDGE_TRUNCATED');
  });

  it('fails the handshake of a missing script with the PHP message attached', async () => {
    const { child, relay } = start(['/definitely/not/here.php']);
    const err = (await pidHandshake(relay, { timeoutMs: 10_000 }).catch((e: unknown) => e)) as Error;
    expect((err as { code?: string }).code).toBe('RR_ERR_GORIDGE_HANDSHAKE');
    const cause = err.cause as { code?: string; message: string };
    expect(cause.code).toBe('RR_ERR_GORIDGE_SCRIPT_NOT_FOUND');
    expect(cause.message).toContain('Could not open input file: /definitely/not/here.php');
  });

  it('throws CLOSED when sending to a worker that exited', async () => {
    const { child, relay } = start(['-r', 'exit(0);']);
    const closed = closeOf(relay);
    await exited(child);
    expect(await closed).toBeUndefined();
    expect(() => relay.send({})).toThrow(expect.objectContaining({ code: 'RR_ERR_GORIDGE_CLOSED' }));
  });
});

describe('PipeRelay.fromFds writes', () => {
  it('queues what a full pipe does not take, in order, and copies a transient buffer before queuing it', async () => {
    const p = fifoPair();
    const relay = PipeRelay.fromFds(p.fromChild, p.toChild);
    // Our own reader on the child's STDIN end, started only once everything is sent.
    const reader = new Socket({ fd: p.childStdin, readable: true, writable: false });
    reader.pause();
    try {
      const big = encodeFrame({ options: [1], payload: Buffer.alloc(200_000, 0x61) }); // > the 64 KiB pipe
      const scratch = Buffer.from(big);
      relay.sendTransient(scratch, big.length); // the kernel takes 64 KiB, the rest is copied and queued
      scratch.fill(0); // reused by the caller at once
      const small = encodeFrame({ options: [2], payload: Buffer.from('after') });
      scratch.set(small);
      relay.sendTransient(scratch, small.length); // queued behind the rest of the big frame
      scratch.fill(0);
      relay.sendEncoded(encodeFrame({ options: [3], payload: Buffer.from('last') }));

      const frames: Frame[] = [];
      const parser = new FrameParser((f) => frames.push(f));
      const all = new Promise<void>((resolve, reject) => {
        reader.on('data', (chunk: Buffer) => {
          const err = parser.push(chunk);
          if (err !== undefined) reject(err);
          else if (frames.length === 3) resolve();
        });
      });
      reader.resume();
      await all;
      expect(frames.map((f) => f.options[0])).toEqual([1, 2, 3]);
      expect(frames[0]!.payload.equals(Buffer.alloc(200_000, 0x61))).toBe(true);
      expect(frames[1]!.payload.toString()).toBe('after');
      expect(frames[2]!.payload.toString()).toBe('last');
    } finally {
      relay.destroy();
      reader.destroy();
      closeSync(p.childStdout);
    }
  });

  it('after a failed write, still delivers what the peer wrote before it left, then closes', async () => {
    const p = fifoPair();
    const relay = PipeRelay.fromFds(p.fromChild, p.toChild);
    const got: string[] = [];
    relay.setFrameHandler((f) => got.push(f.payload.toString()));
    const closed = closeOf(relay);
    // The peer answers, stops reading and leaves (a worker exiting right after its answer).
    writeSync(p.childStdout, encodeFrame({ payload: Buffer.from('last answer') }));
    closeSync(p.childStdin);
    expect(() => relay.sendEncoded(encodeFrame({ payload: Buffer.from('next request') }))).not.toThrow();
    closeSync(p.childStdout);
    expect(((await closed) as { code?: string }).code).toBe('RR_ERR_GORIDGE_IO');
    expect(got).toEqual(['last answer']);
    expect(() => relay.sendEncoded(encodeFrame({}))).toThrow(expect.objectContaining({ code: 'RR_ERR_GORIDGE_CLOSED' }));
  });

  it('reports a reader that went away as an I/O close, not as a throw', async () => {
    const p = fifoPair();
    const relay = PipeRelay.fromFds(p.fromChild, p.toChild);
    closeSync(p.childStdin); // nobody reads the requests any more: write(2) fails with EPIPE
    const closed = closeOf(relay);
    try {
      expect(() => relay.sendEncoded(encodeFrame({ payload: Buffer.from('x') }))).not.toThrow();
      expect(((await closed) as { code?: string }).code).toBe('RR_ERR_GORIDGE_IO');
      expect(() => relay.sendEncoded(encodeFrame({}))).toThrow(expect.objectContaining({ code: 'RR_ERR_GORIDGE_CLOSED' }));
    } finally {
      closeSync(p.childStdout);
    }
  });
});

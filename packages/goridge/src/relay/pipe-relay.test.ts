import { afterEach, describe, expect, it } from 'vitest';
import { STOP_FRAME_BYTES } from '../control.js';
import { Flag } from '../frame.js';
import { ECHO_WORKER, exited, killAll, spawnPhp } from '../test-support/php.js';
import { pidHandshake } from './handshake.js';
import { PipeRelay } from './pipe-relay.js';
import type { Frame, FrameInput } from '../frame.js';
import type { Relay } from './relay.js';

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

describe('PipeRelay with a real PHP worker', () => {
  it('does the pid handshake, echoes frames of every size, and stops on F3', async () => {
    const child = spawnPhp([ECHO_WORKER]);
    const relay = PipeRelay.fromChild(child);
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
    const child = spawnPhp([ECHO_WORKER]);
    const relay = PipeRelay.fromChild(child, { garbageWaitMs: 50 });
    await pidHandshake(relay, { timeoutMs: 10_000 });
    const closed = closeOf(relay);
    relay.send({ options: [0], payload: Buffer.from('garbage') });
    const err = (await closed) as { code?: string; message: string };
    expect(err.code).toBe('RR_ERR_GORIDGE_CRC');
    expect(err.message).toContain('Hello from PHP echo');
  });

  it('reports a worker dying mid-frame as TRUNCATED', async () => {
    const child = spawnPhp([ECHO_WORKER]);
    const relay = PipeRelay.fromChild(child);
    await pidHandshake(relay, { timeoutMs: 10_000 });
    const closed = closeOf(relay);
    relay.send({ options: [0], payload: Buffer.from('die-mid-frame') });
    expect(((await closed) as { code?: string }).code).toBe('RR_ERR_GORIDGE_TRUNCATED');
  });

  it('fails the handshake of a missing script with the PHP message attached', async () => {
    const child = spawnPhp(['/definitely/not/here.php']);
    const relay = PipeRelay.fromChild(child);
    const err = (await pidHandshake(relay, { timeoutMs: 10_000 }).catch((e: unknown) => e)) as Error;
    expect((err as { code?: string }).code).toBe('RR_ERR_GORIDGE_HANDSHAKE');
    const cause = err.cause as { code?: string; message: string };
    expect(cause.code).toBe('RR_ERR_GORIDGE_SCRIPT_NOT_FOUND');
    expect(cause.message).toContain('Could not open input file: /definitely/not/here.php');
  });

  it('throws CLOSED when sending to a worker that exited', async () => {
    const child = spawnPhp(['-r', 'exit(0);']);
    const relay = PipeRelay.fromChild(child);
    const closed = closeOf(relay);
    await exited(child);
    expect(await closed).toBeUndefined();
    expect(() => relay.send({})).toThrow(expect.objectContaining({ code: 'RR_ERR_GORIDGE_CLOSED' }));
  });
});

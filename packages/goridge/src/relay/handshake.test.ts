import { describe, expect, it } from 'vitest';
import { pidReplyFrame } from '../control.js';
import { GoridgeErrorCodes } from '../errors.js';
import { Flag, frame } from '../frame.js';
import type { Frame } from '../frame.js';
import { parsePidReply, parseWorkerHello, pidHandshake } from './handshake.js';
import type { FrameHandler, Relay } from './relay.js';

function reply(json: string, flags: number = Flag.CONTROL): Frame {
  return frame({ flags, payload: Buffer.from(json, 'latin1') });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

/** Just enough of a relay for pidHandshake: records what is sent, lets the test deliver frames. */
function fakeRelay(): { relay: Relay; sent: Frame[]; deliver: (f: Frame) => void } {
  let handler: FrameHandler | null = null;
  const sent: Frame[] = [];
  const relay = {
    hello: undefined,
    closed: false,
    setFrameHandler(h: FrameHandler | null) { handler = h; },
    onClose() { return () => {}; },
    send(f: Frame) { sent.push(f); },
  } as unknown as Relay;
  return { relay, sent, deliver: (f) => handler?.(f) };
}

describe('parseWorkerHello', () => {
  it('a plain pid reply (RoadRunner libraries, the raw test worker) does not announce prefetch', () => {
    expect(parseWorkerHello(pidReplyFrame(4242))).toEqual({ pid: 4242, prefetch: false });
    expect(parseWorkerHello(reply('{"pid":7}', Flag.CONTROL | Flag.CODEC_JSON))).toEqual({ pid: 7, prefetch: false });
  });

  it('"prefetch": true (rr\'s PHP library) announces it', () => {
    expect(parseWorkerHello(reply('{"pid":4242,"prefetch":true}'))).toEqual({ pid: 4242, prefetch: true });
    // Key order and extra keys do not matter.
    expect(parseWorkerHello(reply('{"prefetch":true,"version":"1.2","pid":5}'))).toEqual({ pid: 5, prefetch: true });
  });

  it.each([
    ['false', 'false'],
    ['the string "true"', '"true"'],
    ['1', '1'],
    ['null', 'null'],
    ['an object', '{"on":true}'],
    ['an array', '[true]'],
  ])('prefetch only when it is exactly true, not %s', (_what, value) => {
    expect(parseWorkerHello(reply(`{"pid":9,"prefetch":${value}}`))).toEqual({ pid: 9, prefetch: false });
  });

  it('rejects what parsePidReply rejects, with the same code', () => {
    for (const bad of [
      reply('{"pid":1}', 0),
      reply('not json'),
      reply('{"prefetch":true}'),
      reply('{"pid":0,"prefetch":true}'),
      reply('{"pid":1.5,"prefetch":true}'),
      reply('{"pid":"12","prefetch":true}'),
      reply('null'),
    ]) {
      expect(codeOf(() => parseWorkerHello(bad))).toBe(GoridgeErrorCodes.HANDSHAKE);
      expect(codeOf(() => parsePidReply(bad))).toBe(GoridgeErrorCodes.HANDSHAKE);
    }
  });
});

describe('parsePidReply (unchanged by the hello)', () => {
  it('returns the pid, with or without the prefetch announcement', () => {
    expect(parsePidReply(pidReplyFrame(31337))).toBe(31337);
    expect(parsePidReply(reply('{"pid":31337,"prefetch":true}'))).toBe(31337);
    expect(parsePidReply(reply('{"pid":31337,"prefetch":"yes"}'))).toBe(31337);
  });

  it('still names what it found when the reply is wrong', () => {
    let err: Error | undefined;
    try {
      parsePidReply(reply('{"pid":-3}'));
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toContain('expected {"pid": <integer > 0>}');
    expect(err?.message).toContain('{"pid":-3}');
  });
});

describe('pidHandshake keeps the hello on the relay', () => {
  it.each([
    ['{"pid":321,"prefetch":true}', { pid: 321, prefetch: true }],
    ['{"pid":321}', { pid: 321, prefetch: false }],
  ])('reply %s', async (json, hello) => {
    const { relay, sent, deliver } = fakeRelay();
    expect(relay.hello).toBeUndefined();
    const done = pidHandshake(relay, { timeoutMs: 5_000, serverPid: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.flags & Flag.CONTROL).toBe(Flag.CONTROL);
    deliver(reply(json));
    await expect(done).resolves.toBe(321);
    expect(relay.hello).toEqual(hello);
  });

  it('a bad reply leaves no hello behind', async () => {
    const { relay, deliver } = fakeRelay();
    const done = pidHandshake(relay, { timeoutMs: 5_000, serverPid: 1 });
    deliver(reply('{"pid":0,"prefetch":true}'));
    await expect(done).rejects.toMatchObject({ code: GoridgeErrorCodes.HANDSHAKE });
    expect(relay.hello).toBeUndefined();
  });
});

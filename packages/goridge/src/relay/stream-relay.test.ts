import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Flag, encodeFrame } from '../frame.js';
import { StreamRelay } from './stream-relay.js';

function pair(garbageWaitMs = 0) {
  const incoming = new PassThrough();
  const outgoing = new PassThrough();
  const relay = new StreamRelay(incoming, outgoing, { garbageWaitMs });
  const closed = new Promise<Error | undefined>((resolve) => relay.onClose(resolve));
  return { incoming, outgoing, relay, closed };
}

const nextData = (s: PassThrough): Promise<Buffer> => new Promise((resolve) => s.once('data', resolve));

describe('StreamRelay (in-memory streams)', () => {
  it('queues frames while no handler is set and delivers them in order when one is', async () => {
    const { incoming, relay } = pair();
    const got: string[] = [];
    const data = new Promise((resolve) => incoming.once('data', resolve));
    incoming.write(Buffer.concat(['a', 'b', 'c'].map((s) => encodeFrame({ payload: Buffer.from(s) }))));
    await data;
    relay.setFrameHandler((f) => got.push(f.payload.toString()));
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('lets a handler hand over to another mid-queue without reordering', async () => {
    const { incoming, relay } = pair();
    const got: string[] = [];
    const data = new Promise((resolve) => incoming.once('data', resolve));
    incoming.write(Buffer.concat(['1', '2', '3', '4'].map((s) => encodeFrame({ payload: Buffer.from(s) }))));
    await data;
    relay.setFrameHandler((f) => {
      got.push(`A${f.payload}`);
      relay.setFrameHandler(null);
    });
    expect(got).toEqual(['A1']);
    relay.setFrameHandler((f) => got.push(`B${f.payload}`));
    expect(got).toEqual(['A1', 'B2', 'B3', 'B4']);
  });

  it('writes small frames as one chunk and large ones as header+payload of the same bytes', async () => {
    const { outgoing, relay } = pair();
    const small = { flags: Flag.CODEC_JSON, options: [2], payload: Buffer.from('{}x') };
    const one = nextData(outgoing);
    expect(relay.send(small)).toBe(true);
    expect((await one).equals(encodeFrame(small))).toBe(true);
    const big = { options: [0], payload: Buffer.alloc(100_000, 1) };
    const chunks: Buffer[] = [];
    outgoing.on('data', (c: Buffer) => chunks.push(c));
    relay.send(big);
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(chunks).equals(encodeFrame(big))).toBe(true);
  });

  it('sendEncoded writes several parts as one frame, in order', async () => {
    const { outgoing, relay } = pair();
    const whole = encodeFrame({ options: [3], payload: Buffer.from('ctxbody') });
    const chunks: Buffer[] = [];
    outgoing.on('data', (c: Buffer) => chunks.push(c));
    relay.sendEncoded(whole.subarray(0, 16), whole.subarray(16, 19), Buffer.alloc(0), whole.subarray(19));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(chunks).equals(whole)).toBe(true);
  });

  it('closes with the parser error on garbage and refuses further sends', async () => {
    const { incoming, relay, closed } = pair();
    incoming.write('not a goridge frame at all');
    const err = await closed;
    expect((err as { code?: string }).code).toBe('RR_ERR_GORIDGE_CRC');
    expect(relay.closed).toBe(true);
    expect(() => relay.send({})).toThrow(expect.objectContaining({ code: 'RR_ERR_GORIDGE_CLOSED' }));
  });

  it('collects what the peer printed after garbage until the stream ends', async () => {
    const { incoming, closed } = pair(10_000);
    incoming.write('Warning: something ');
    incoming.write('went wrong in line 3');
    incoming.end();
    const err = await closed;
    expect(err?.message).toContain('the peer\'s output was: "Warning: something went wrong in line 3"');
  });

  it('reports EOF between frames as a clean close and EOF mid-frame as TRUNCATED', async () => {
    const a = pair();
    a.incoming.end(encodeFrame({}));
    expect(await a.closed).toBeUndefined();
    const b = pair();
    b.incoming.end(encodeFrame({ payload: Buffer.from('abc') }).subarray(0, 13));
    expect((await b.closed as { code?: string }).code).toBe('RR_ERR_GORIDGE_TRUNCATED');
  });

  it('surfaces a throwing frame handler as the close error instead of an uncaught exception', async () => {
    const { incoming, relay, closed } = pair();
    relay.setFrameHandler(() => {
      throw new Error('handler bug');
    });
    incoming.write(encodeFrame({}));
    const err = await closed;
    expect(err?.cause).toEqual(new Error('handler bug'));
  });

  it('close() notifies listeners once, with no error, and onClose after close still fires', async () => {
    const { relay, closed } = pair();
    relay.close();
    relay.close();
    expect(await closed).toBeUndefined();
    const late = await new Promise<Error | undefined>((resolve) => relay.onClose(resolve));
    expect(late).toBeUndefined();
  });

  it('drained() resolves at once when the buffer is not full, and after drain otherwise', async () => {
    const incoming = new PassThrough();
    const outgoing = new PassThrough({ highWaterMark: 16 });
    const relay = new StreamRelay(incoming, outgoing);
    await relay.drained();
    expect(relay.send({ payload: Buffer.alloc(64) })).toBe(false);
    let done = false;
    const drained = relay.drained().then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    outgoing.resume();
    await drained;
    expect(done).toBe(true);
  });
});

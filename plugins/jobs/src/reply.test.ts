import { describe, expect, it } from 'vitest';
import { parseReply } from './reply.js';

const b = (s: string) => Buffer.from(s);

describe('parseReply (protocol §6.3)', () => {
  it('maps every reply type', () => {
    expect(parseReply(b('{"type":2,"data":[]}'))).toEqual({ kind: 'ack' });
    expect(parseReply(b('{"type":0,"data":[]}'))).toEqual({ kind: 'ack' });
    expect(parseReply(b('{"type":1,"data":{"message":"x","requeue":false,"delay_seconds":0}}'))).toEqual({ kind: 'ack', failed: 'x' });
    expect(parseReply(b('{"type":1,"data":{"message":"x","requeue":true,"delay_seconds":2,"headers":{"a":["1"]}}}')))
      .toEqual({ kind: 'requeue', delaySeconds: 2, message: 'x', headers: { a: ['1'] } });
    expect(parseReply(b('{"type":3,"data":{"message":"m","requeue":true,"delay_seconds":5}}'))).toEqual({ kind: 'nack', requeue: true, delaySeconds: 5, message: 'm' });
    expect(parseReply(b('{"type":4,"data":{"message":"m","delay_seconds":1}}'))).toEqual({ kind: 'requeue', delaySeconds: 1, message: 'm' });
    expect(parseReply(b('{"type":9,"data":[]}'))).toEqual({ kind: 'ack', warning: 'unknown reply type 9' });
  });

  it('treats empty, non-JSON and malformed replies as invalid (rr acks them)', () => {
    expect(parseReply(new Uint8Array(0)).kind).toBe('invalid');
    expect(parseReply(b('nope')).kind).toBe('invalid');
    expect(parseReply(b('[1]')).kind).toBe('invalid');
    expect(parseReply(b('{"data":[]}')).kind).toBe('invalid');
    expect(parseReply(b('{"type":4,"data":{"headers":5}}')).kind).toBe('invalid');
  });
});

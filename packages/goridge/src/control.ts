import { Flag, StreamBit, encodeFrame, frame } from './frame.js';
import type { Frame } from './frame.js';

/** Payload of the server's stop command (F3) and of a worker's restart request context (F7). */
export const STOP_PAYLOAD: Buffer = Buffer.from('{"stop":true}', 'latin1');

/** F1: the server asks the worker for its pid; `pid` is the server's own pid (spec §2.4, §3.2). */
export function pidRequestFrame(pid: number = process.pid): Frame {
  return frame({ flags: Flag.CONTROL | Flag.CODEC_JSON, payload: Buffer.from(`{"pid":${pid}}`, 'latin1') });
}

/** F2: a worker's answer carrying its pid (what PHP sends; useful for fake workers in tests). */
export function pidReplyFrame(pid: number): Frame {
  return frame({ flags: Flag.CONTROL, payload: Buffer.from(`{"pid":${pid}}`, 'latin1') });
}

/** F3 stop command, pre-encoded: the bytes never change. */
export const STOP_FRAME_BYTES: Buffer = encodeFrame({ flags: Flag.CONTROL | Flag.CODEC_JSON, payload: STOP_PAYLOAD });
/** F8 PONG (answer to a PING bit), pre-encoded. */
export const PONG_FRAME_BYTES: Buffer = encodeFrame({ stream: StreamBit.PONG });
/** F9 "stop streaming" (the HTTP client went away), pre-encoded. */
export const STREAM_STOP_FRAME_BYTES: Buffer = encodeFrame({ stream: StreamBit.STOP });

/**
 * True for F7: a data frame whose body is empty and whose context is byte-exactly `{"stop":true}`
 * (spec §3.6). The worker asks to be replaced; the request must be re-run elsewhere.
 */
export function isWorkerStopRequest(f: Frame): boolean {
  return (
    (f.flags & (Flag.CONTROL | Flag.ERROR)) === 0 &&
    f.options.length === 1 &&
    f.options[0] === STOP_PAYLOAD.length &&
    f.payload.length === STOP_PAYLOAD.length &&
    f.payload.equals(STOP_PAYLOAD)
  );
}

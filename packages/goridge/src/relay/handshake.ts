import { pidRequestFrame } from '../control.js';
import { GoridgeError, GoridgeErrorCodes, printableBytes } from '../errors.js';
import { Flag } from '../frame.js';
import type { Frame } from '../frame.js';
import type { Relay, WorkerHello } from './relay.js';

/** Options of {@link pidHandshake}. */
export interface PidHandshakeOptions {
  /** How long the worker has to answer. */
  timeoutMs: number;
  /** The pid to announce in F1. @default process.pid */
  serverPid?: number;
  /** Aborts the wait (e.g. the process exited); rejects with the signal's reason. */
  signal?: AbortSignal;
}

function fail(why: string, cause?: unknown, payload?: Buffer): GoridgeError {
  return new GoridgeError(
    GoridgeErrorCodes.HANDSHAKE,
    `worker pid handshake failed: ${why}; the worker must be a goridge worker (spiral/roadrunner-worker) ` +
      'that answers the pid control frame before anything else',
    { cause, found: payload ? printableBytes(payload) : undefined },
  );
}

/** Validates a worker's answer to F1 (spec §3.2 step 4): CONTROL bit, JSON object, integer pid > 0. */
export function parsePidReply(f: Frame): number {
  return parseWorkerHello(f).pid;
}

/** {@link parsePidReply}, keeping the capabilities the reply announces (absent = not supported). */
export function parseWorkerHello(f: Frame): WorkerHello {
  if ((f.flags & Flag.CONTROL) === 0) {
    throw fail(`expected a CONTROL frame (flag 0x01), found flags 0x${f.flags.toString(16).padStart(2, '0')}`, undefined, f.payload);
  }
  let body: unknown;
  try {
    body = JSON.parse(f.payload.toString('utf8'));
  } catch (err) {
    throw fail(`the reply is not JSON: "${printableBytes(f.payload, 120)}"`, err, f.payload);
  }
  const reply = body as { pid?: unknown; prefetch?: unknown } | null;
  const pid = reply?.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) {
    throw fail(`expected {"pid": <integer > 0>}, found "${printableBytes(f.payload, 120)}"`, undefined, f.payload);
  }
  return { pid, prefetch: reply?.prefetch === true };
}

/**
 * Performs the pid handshake on a fresh relay: sends F1, waits for the first frame and checks it is
 * a valid pid reply (F2), which it keeps as `relay.hello`. Resolves with the worker's pid. Frames after the reply stay queued in the
 * relay for its next owner. Does not close the relay on failure; the caller kills the worker.
 */
export function pidHandshake(relay: Relay, options: PidHandshakeOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    const finish = (err: unknown, pid?: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined) resolve(pid!);
      else reject(err);
    };
    const onAbort = (): void => {
      relay.setFrameHandler(null);
      finish(signal!.reason);
    };
    const timer = setTimeout(() => {
      relay.setFrameHandler(null);
      finish(fail(`no answer to the pid control frame within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const unsubscribe = relay.onClose((err) => {
      finish(
        fail(
          `the worker closed the relay before answering${err ? `: ${err.message}` : ' (it exited or crashed; see its STDERR)'}`,
          err,
        ),
      );
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    relay.setFrameHandler((f) => {
      // Stop taking frames before settling, so anything after the reply stays queued in order.
      relay.setFrameHandler(null);
      try {
        const hello = parseWorkerHello(f);
        relay.hello = hello;
        finish(undefined, hello.pid);
      } catch (err) {
        finish(err);
      }
    });
    try {
      relay.send(pidRequestFrame(options.serverPid ?? process.pid));
    } catch (err) {
      relay.setFrameHandler(null);
      finish(fail('could not send the pid control frame', err));
    }
  });
}

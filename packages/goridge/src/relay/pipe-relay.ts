import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { GoridgeError, GoridgeErrorCodes } from '../errors.js';
import { StreamRelay } from './stream-relay.js';
import type { RelayOptions } from './relay.js';

/**
 * The `pipes` relay: frames to the worker go to its STDIN, frames from it come from its STDOUT.
 * It does not own the process; closing the relay closes the pipes (PHP then reads EOF), nothing more.
 */
export class PipeRelay extends StreamRelay {
  constructor(stdout: Readable, stdin: Writable, options: RelayOptions = {}) {
    super(stdout, stdin, options);
  }

  /** Wraps a child spawned with `stdio: ['pipe', 'pipe', …]`. */
  static fromChild(child: ChildProcess, options: RelayOptions = {}): PipeRelay {
    if (child.stdout === null || child.stdin === null) {
      throw new GoridgeError(
        GoridgeErrorCodes.IO,
        `cannot create a pipes relay for process ${child.pid ?? '(not started)'}: its STDIN/STDOUT are not ` +
          "pipes; spawn it with stdio ['pipe', 'pipe', 'pipe']",
      );
    }
    return new PipeRelay(child.stdout, child.stdin, options);
  }
}

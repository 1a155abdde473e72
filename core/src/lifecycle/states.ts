import { RrError } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';
import { messages } from '../errors/messages.js';

/**
 * Where a kernel is in its life. It only moves forward:
 *
 * - `created`: constructed; nothing checked yet.
 * - `resolved`: resolution found no problem; plugins are being initialised once start() runs.
 * - `initialized`: every init() finished and every declared token was provided; serve() is running.
 * - `running`: every serve() reported ready.
 * - `draining`: stop() (or a failed start) is calling drain() on every plugin, in reverse order.
 * - `stopping`: stop() is calling stop(), dependents before what they depend on.
 * - `stopped`: everything stopped (possibly with errors, see StopOutcome); the container is disposed.
 * - `failed`: start() failed, either at resolution or after rolling back a failed init/serve.
 *
 * @public
 */
export type KernelState = 'created' | 'resolved' | 'initialized' | 'running' | 'draining' | 'stopping' | 'stopped' | 'failed';

const FORWARD: Readonly<Record<KernelState, readonly KernelState[]>> = {
  created: ['resolved', 'failed', 'stopped'],
  resolved: ['initialized', 'draining'],
  initialized: ['running', 'draining'],
  running: ['draining'],
  draining: ['stopping'],
  stopping: ['stopped', 'failed'],
  stopped: [],
  failed: [],
};

/** A tiny state holder that refuses backwards or skipping moves, which would be kernel bugs. */
export class KernelStateMachine {
  #state: KernelState = 'created';

  get current(): KernelState {
    return this.#state;
  }

  moveTo(next: KernelState): void {
    if (!FORWARD[this.#state].includes(next)) {
      throw new Error(`internal: illegal kernel state transition ${this.#state} -> ${next}`);
    }
    this.#state = next;
  }

  /** Throws RR_ERR_KERNEL_STATE naming the current state when `action` is not allowed in it. */
  require(action: string, allowed: readonly KernelState[]): void {
    if (!allowed.includes(this.#state)) {
      throw new RrError(ErrorCodes.KERNEL_STATE, messages.kernelState(action, this.#state, allowed));
    }
  }
}

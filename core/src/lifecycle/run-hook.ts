import { RrError, errorCode } from '@rr/plugin-api';
import type { Logger } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';
import { messages } from '../errors/messages.js';

export interface StartHookRun<T> {
  readonly plugin: string;
  readonly phase: 'init' | 'serve';
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** The hook; its signal aborts at the deadline and on `interrupt`. */
  readonly call: (signal: AbortSignal) => T | Promise<T>;
  /**
   * When this aborts, stop waiting and reject with its reason. Only for hooks whose result the kernel
   * can do without: serve() (the handle is already known), never init() (its handle holds resources).
   */
  readonly interrupt?: AbortSignal;
}

/** First "still …" progress line after this long (or a quarter of the deadline), then doubling. */
const FIRST_PROGRESS_MS = 1000;

/**
 * Runs one init() or serve() hook with its deadline, logging progress while it is slow. Whatever the
 * hook throws is wrapped once into RR_ERR_PLUGIN_INIT / RR_ERR_PLUGIN_SERVE with the original in
 * `cause`; a missed deadline is RR_ERR_PLUGIN_TIMEOUT.
 */
export function runStartHook<T>(run: StartHookRun<T>): Promise<T> {
  const { plugin, phase, timeoutMs, logger } = run;
  const controller = new AbortController();
  const started = Date.now();
  let progressTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let onInterrupt: (() => void) | undefined;

  const hook = new Promise<T>((resolve) => resolve(run.call(controller.signal)));
  const guard = new Promise<never>((_, reject) => {
    deadlineTimer = setTimeout(() => {
      const err = new RrError(ErrorCodes.PLUGIN_TIMEOUT, messages.hookTimeout(plugin, phase, timeoutMs), { plugin, phase });
      controller.abort(err);
      reject(err);
    }, timeoutMs);
    const progress = (delay: number): void => {
      progressTimer = setTimeout(() => {
        logger.info(messages.stillRunning(phase, [plugin], Date.now() - started), { plugin, phase });
        progress(delay * 2);
      }, delay);
    };
    progress(Math.max(1, Math.min(FIRST_PROGRESS_MS, Math.floor(timeoutMs / 4))));
    if (run.interrupt !== undefined) {
      const interrupt = run.interrupt;
      onInterrupt = () => {
        controller.abort(interrupt.reason);
        reject(interrupt.reason);
      };
      if (interrupt.aborted) onInterrupt();
      else interrupt.addEventListener('abort', onInterrupt, { once: true });
    }
  });

  // A hook that settles after we stopped waiting must not become an unhandled rejection.
  hook.catch((err: unknown) => {
    if (controller.signal.aborted) logger.debug(`${phase}() of a plugin we stopped waiting for failed later`, { plugin, phase, error: String(err) });
  });

  return Promise.race([
    hook.catch((err: unknown) => { throw wrapHookError(plugin, phase, err); }),
    guard,
  ]).finally(() => {
    clearTimeout(deadlineTimer);
    clearTimeout(progressTimer);
    if (onInterrupt !== undefined) run.interrupt?.removeEventListener('abort', onInterrupt);
  });
}

const WRAP_CODE = { init: ErrorCodes.PLUGIN_INIT, serve: ErrorCodes.PLUGIN_SERVE, drain: ErrorCodes.PLUGIN_STOP, stop: ErrorCodes.PLUGIN_STOP } as const;

/** Wraps what a hook threw, once: an error already carrying this plugin and phase passes through. */
export function wrapHookError(plugin: string, phase: 'init' | 'serve' | 'drain' | 'stop', err: unknown): RrError {
  const e = err as Partial<RrError> | null;
  if (errorCode(err) !== undefined && e?.plugin === plugin && e.phase === phase) return err as RrError;
  return new RrError(WRAP_CODE[phase], messages.hookFailed(plugin, phase, err), { plugin, phase, cause: err });
}

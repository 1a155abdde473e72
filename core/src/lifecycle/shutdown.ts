import { RrError } from '@rr/plugin-api';
import type { Logger, PluginHandle } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';
import { messages } from '../errors/messages.js';
import type { StopOutcome } from '../kernel/types.js';
import { wrapHookError } from './run-hook.js';

export interface Stoppable {
  readonly name: string;
  readonly handle: PluginHandle;
}

export interface ShutdownInput {
  /** Plugins that finished init, in start order. */
  readonly plugins: readonly Stoppable[];
  /** For each plugin, the plugins that started after it because of it; they stop first. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  /** One deadline for drain and stop together, like RoadRunner's endure.grace_period. */
  readonly graceMs: number;
  readonly logger: Logger;
  /** Called when the stop pass begins (the kernel moves from draining to stopping). */
  readonly onStopPass?: () => void;
}

/**
 * Two passes under one deadline. Drain: every plugin, one at a time, in reverse start order, so
 * servers stop accepting before the pools behind them are touched. Stop: a plugin stops as soon as
 * everything depending on it has stopped, so independent branches overlap but a provider always
 * outlives its consumers. At the deadline the kernel stops waiting: plugins whose stop had not
 * started yet are still called once, with an aborted signal, to force their cleanup (kill workers).
 */
export async function shutdown(input: ShutdownInput): Promise<StopOutcome> {
  const { plugins, dependents, graceMs, logger } = input;
  const errors: RrError[] = [];
  const controller = new AbortController();
  /** Plugins inside a drain() or stop() right now. */
  const running = new Set<string>();
  let expired = false;
  let unfinished: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => {
      // Taken synchronously, before the abort lets hooks react: exactly who had not finished in time.
      expired = true;
      unfinished = plugins.map((p) => p.name).reverse().filter((name) => running.has(name));
      controller.abort(new Error(`grace period of ${graceMs} ms expired`));
      resolve('expired');
    }, graceMs);
  });
  const signal = controller.signal;

  const call = (p: Stoppable, phase: 'drain' | 'stop'): Promise<void> => {
    const hook = p.handle[phase];
    if (hook === undefined) return Promise.resolve();
    logger.debug(`${phase} plugin`, { plugin: p.name, phase });
    running.add(p.name);
    return new Promise<unknown>((resolve) => resolve(hook.call(p.handle, signal))).then(
      () => undefined,
      (err: unknown) => {
        const wrapped = wrapHookError(p.name, phase, err);
        logger.error(wrapped.message, { plugin: p.name, phase, code: wrapped.code });
        errors.push(wrapped);
      },
    ).finally(() => running.delete(p.name));
  };

  const reversed = [...plugins].reverse();
  for (const p of reversed) {
    if (await Promise.race([call(p, 'drain'), deadline]) === 'expired') break;
  }

  input.onStopPass?.();
  const names = new Set(plugins.map((p) => p.name));
  const waitFor = new Map(plugins.map((p) => [p.name, (dependents.get(p.name) ?? []).filter((d) => names.has(d))]));
  const launched = new Set<string>();
  const done = new Set<string>();
  let allDone!: () => void;
  const finished = new Promise<'done'>((resolve) => { allDone = () => resolve('done'); });

  const launch = (p: Stoppable): void => {
    launched.add(p.name);
    void call(p, 'stop').then(() => {
      done.add(p.name);
      if (done.size === plugins.length) allDone();
      else if (!expired) launchReady();
    });
  };
  const launchReady = (): void => {
    for (const p of reversed) {
      if (!launched.has(p.name) && waitFor.get(p.name)!.every((d) => done.has(d))) launch(p);
    }
  };

  if (plugins.length === 0) allDone();
  if (!expired) {
    launchReady();
    await Promise.race([finished, deadline]);
  }
  if (expired) {
    for (const p of reversed) if (!launched.has(p.name)) launch(p);
    // One macrotask for forced, synchronous cleanups to run before rr moves on without them.
    await new Promise((resolve) => setImmediate(resolve));
  }
  clearTimeout(timer);

  if (expired && unfinished.length > 0) {
    const err = new RrError(ErrorCodes.GRACE_EXPIRED, messages.graceExpired(unfinished, graceMs), { phase: 'stop' });
    logger.error(err.message, { phase: 'stop', code: err.code, plugins: unfinished });
    errors.push(err);
  }
  return { ok: errors.length === 0, errors, unfinished };
}

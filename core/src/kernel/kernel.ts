import { RrError, configViewToken, errorCode, loggerFactoryToken } from '@rr/plugin-api';
import type { ConfigView, Contribution, Logger, PluginHandle } from '@rr/plugin-api';
import { coerceBySchema } from '../config/coerce.js';
import { createConfigView } from '../config/view.js';
import { createKernelContainer, type KernelContainer } from '../di/container.js';
import { ErrorCodes } from '../errors/codes.js';
import { messages } from '../errors/messages.js';
import { runStartHook } from '../lifecycle/run-hook.js';
import { shutdown, type Stoppable } from '../lifecycle/shutdown.js';
import { KernelStateMachine, type KernelState } from '../lifecycle/states.js';
import { createInitContext, type ContextHost } from './plugin-context.js';
import { resolvePlugins, type PlannedPlugin, type ResolvedPlan } from './resolve.js';
import type { Kernel, KernelOptions, KernelResolveError, ResolutionReport, StopOutcome } from './types.js';

const DEFAULT_START_TIMEOUT_MS = 30_000;
const KERNEL_LOGGER = 'endure';

/** Creates a kernel for one run of rr. Nothing happens until resolve() or start(). @public */
export function createKernel(opts: KernelOptions): Kernel {
  return new RrKernel(opts);
}

class RrKernel implements Kernel {
  readonly #opts: KernelOptions;
  readonly #log: Logger;
  readonly #machine = new KernelStateMachine();
  /** Aborted by stop() or by a fatal error while starting: start() stops at the next step and rolls back. */
  readonly #interrupt = new AbortController();
  readonly #started: Stoppable[] = [];
  readonly #fatalListeners: ((err: RrError) => void)[] = [];
  #plan: (ResolvedPlan & { view: ConfigView }) | undefined;
  #container: KernelContainer | undefined;
  #startPromise: Promise<void> | undefined;
  #stopPromise: Promise<StopOutcome> | undefined;
  #rollback: StopOutcome | undefined;
  #fatal: RrError | undefined;
  #allInitialized = false;

  constructor(opts: KernelOptions) {
    this.#opts = opts;
    this.#log = opts.loggers.named(KERNEL_LOGGER);
  }

  get state(): KernelState {
    return this.#machine.current;
  }

  resolve(): ResolutionReport {
    return this.#resolvePlan().report;
  }

  start(): Promise<void> {
    if (this.#startPromise !== undefined) {
      return Promise.reject(new RrError(ErrorCodes.KERNEL_STATE, messages.kernelState('start() a second time', this.state, ['created'])));
    }
    try {
      this.#machine.require('start()', ['created']);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#startPromise = this.#start();
    return this.#startPromise;
  }

  stop(reason?: string): Promise<StopOutcome> {
    this.#stopPromise ??= this.#stop(reason);
    return this.#stopPromise;
  }

  onFatal(listener: (err: RrError) => void): void {
    this.#fatalListeners.push(listener);
    const fatal = this.#fatal;
    if (fatal !== undefined) queueMicrotask(() => this.#notify(listener, fatal));
  }

  #resolvePlan(): ResolvedPlan & { view: ConfigView } {
    if (this.#plan !== undefined) return this.#plan;
    const { entries, config, validateSection } = this.#opts;
    const viewProblems: RrError[] = [];
    let view: ConfigView;
    try {
      view = createConfigView(config);
    } catch (err) {
      // A bad endure.grace_period is one more problem to list, not a reason to stop looking.
      viewProblems.push(new RrError(errorCode(err) ?? ErrorCodes.CONFIG_INVALID, (err as Error).message, { phase: 'resolve', cause: err }));
      const { endure: _ignored, ...rest } = config.data;
      view = createConfigView({ ...config, data: rest });
    }
    const plan = resolvePlugins({ entries, config, view, validateSection, coerce: coerceBySchema });
    const report = viewProblems.length === 0 ? plan.report : { ...plan.report, problems: [...viewProblems, ...plan.report.problems] };
    this.#plan = { ...plan, report, view };
    return this.#plan;
  }

  async #start(): Promise<void> {
    const plan = this.#resolvePlan();
    const { problems } = plan.report;
    if (problems.length > 0) {
      const err = Object.assign(
        new RrError(ErrorCodes.KERNEL_RESOLVE, messages.kernelResolve(problems.length), { phase: 'resolve' }),
        { errors: problems },
      ) as KernelResolveError;
      this.#log.error(err.message, { phase: 'resolve', code: err.code, problems: problems.map((p) => ({ code: p.code, plugin: p.plugin })) });
      this.#machine.moveTo('failed');
      throw err;
    }
    this.#machine.moveTo('resolved');
    this.#logPlan(plan);

    const container = this.#container = createKernelContainer();
    const host = this.#contextHost(plan.view, container);
    try {
      for (const planned of plan.plugins) {
        this.#checkInterrupt();
        this.#started.push({ name: planned.name, handle: await this.#init(planned, host) });
      }
      this.#allInitialized = true;
      this.#machine.moveTo('initialized');
      for (const { name, handle } of this.#started) {
        this.#checkInterrupt();
        if (handle.serve === undefined) continue;
        this.#log.debug('serve plugin', { plugin: name, phase: 'serve' });
        await runStartHook({
          plugin: name,
          phase: 'serve',
          timeoutMs: this.#timeout(name),
          logger: this.#log,
          call: (signal) => handle.serve!.call(handle, signal),
          interrupt: this.#interrupt.signal,
        });
      }
      this.#checkInterrupt();
      this.#machine.moveTo('running');
      this.#log.debug('all plugins are ready', { plugins: this.#started.map((s) => s.name) });
    } catch (thrown) {
      const err = asRrError(thrown);
      const interruptedByStop = this.#interrupt.signal.aborted && this.#interrupt.signal.reason === err && err.code === ErrorCodes.KERNEL_STATE;
      if (interruptedByStop) this.#log.info(err.message, { phase: err.phase, code: err.code });
      else this.#log.error(err.message, { plugin: err.plugin, phase: err.phase, code: err.code });
      this.#rollback = await this.#shutdown(interruptedByStop ? 'stopped' : 'failed');
      throw err;
    }
  }

  async #init(planned: PlannedPlugin, host: ContextHost): Promise<PluginHandle> {
    const { name, plugin } = planned;
    this.#log.debug('init plugin', { plugin: name, phase: 'init' });
    const open = createInitContext(planned, host);
    let returned: unknown;
    try {
      returned = await runStartHook({
        plugin: name,
        phase: 'init',
        timeoutMs: this.#timeout(name),
        logger: this.#log,
        call: () => plugin.init(open.ctx),
      });
    } finally {
      open.close();
    }
    const handle = toHandle(name, returned);
    // Registered before the provides check: a plugin that half-succeeded still gets drained and stopped.
    const missing = (plugin.provides ?? []).map((t) => t.id).filter((id) => !open.provided.has(id));
    if (missing.length > 0) {
      this.#started.push({ name, handle });
      throw new RrError(ErrorCodes.PROVIDE_MISSING, messages.provideMissing(name, missing), { plugin: name, phase: 'init' });
    }
    return handle;
  }

  async #stop(reason: string | undefined): Promise<StopOutcome> {
    if (this.#startPromise !== undefined && this.state !== 'running') {
      this.#requestInterrupt(new RrError(ErrorCodes.KERNEL_STATE, messages.interruptedStart(reason), { phase: this.state === 'initialized' ? 'serve' : 'init' }));
      await this.#startPromise.catch(() => undefined);
      // Re-read: the state changed while we awaited start().
      if ((this.state as KernelState) !== 'running') return this.#rollback ?? { ok: true, errors: [], unfinished: [] };
    }
    if (this.state === 'created') {
      this.#machine.moveTo('stopped');
      return { ok: true, errors: [], unfinished: [] };
    }
    this.#log.debug('stopping plugins', { reason, plugins: this.#started.map((s) => s.name).reverse() });
    return this.#shutdown('stopped');
  }

  async #shutdown(final: 'stopped' | 'failed'): Promise<StopOutcome> {
    const plan = this.#resolvePlan();
    this.#machine.moveTo('draining');
    const outcome = await shutdown({
      plugins: this.#started,
      dependents: plan.dependents,
      graceMs: plan.view.gracePeriodMs,
      logger: this.#log,
      onStopPass: () => this.#machine.moveTo('stopping'),
    });
    try {
      await this.#container?.dispose();
    } catch (err) {
      const wrapped = new RrError(ErrorCodes.PLUGIN_STOP, messages.disposeFailed(err), { phase: 'stop', cause: err });
      this.#log.error(wrapped.message, { phase: 'stop', code: wrapped.code });
      outcome.errors.push(wrapped);
      outcome.ok = false;
    }
    this.#machine.moveTo(final);
    this.#log.debug('plugins stopped', { ok: outcome.ok, unfinished: outcome.unfinished });
    return outcome;
  }

  #contextHost(view: ConfigView, container: KernelContainer): ContextHost {
    const { loggers, version } = this.#opts;
    const values = new Map<string, unknown>([[configViewToken.id, view], [loggerFactoryToken.id, loggers]]);
    container.registerValue(configViewToken, view);
    container.registerValue(loggerFactoryToken, loggers);
    return {
      values,
      contributions: new Map<string, Contribution<unknown>[]>(),
      container,
      view,
      loggers,
      version,
      allInitialized: () => this.#allInitialized,
      fatal: (plugin, err) => this.#onPluginFatal(plugin, err),
    };
  }

  #onPluginFatal(plugin: string, cause: unknown): void {
    const state = this.state;
    if (state === 'running') {
      const err = new RrError(ErrorCodes.PLUGIN_FATAL, messages.fatal(plugin, cause), { plugin, phase: 'running', cause });
      this.#log.error(err.message, { plugin, phase: 'running', code: err.code });
      if (this.#fatal !== undefined) return;
      this.#fatal = err;
      for (const listener of this.#fatalListeners) queueMicrotask(() => this.#notify(listener, err));
    } else if (state === 'resolved' || state === 'initialized') {
      const phase = state === 'resolved' ? 'init' : 'serve';
      const err = new RrError(ErrorCodes.PLUGIN_FATAL, messages.fatalBeforeReady(plugin, cause), { plugin, phase, cause });
      this.#log.error(err.message, { plugin, phase, code: err.code });
      this.#requestInterrupt(err);
    } else {
      // Already shutting down (or done): the error cannot change the outcome, but it must be seen.
      this.#log.warn(messages.fatalWhileStopping(plugin, state, cause), { plugin, phase: 'stop', code: ErrorCodes.PLUGIN_FATAL });
    }
  }

  #notify(listener: (err: RrError) => void, err: RrError): void {
    try {
      listener(err);
    } catch (thrown) {
      this.#log.error(`an onFatal listener threw: ${String(thrown)}`, { phase: 'running' });
    }
  }

  #requestInterrupt(reason: RrError): void {
    if (!this.#interrupt.signal.aborted) this.#interrupt.abort(reason);
  }

  #checkInterrupt(): void {
    if (this.#interrupt.signal.aborted) throw this.#interrupt.signal.reason;
  }

  #timeout(name: string): number {
    const planned = this.#plan?.plugins.find((p) => p.name === name);
    return planned?.plugin.startTimeoutMs ?? this.#opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  }

  #logPlan(plan: ResolvedPlan): void {
    for (const { name, reason } of plan.disabled) this.#log.info(messages.disabled(name, reason), { plugin: name, phase: 'resolve', reason });
    this.#log.debug('plugin start order', { phase: 'resolve', order: plan.report.order });
    for (const p of plan.report.plugins) {
      if (p.position !== undefined) this.#log.debug('plugin planned', { plugin: p.name, phase: 'resolve', position: p.position, dependsOn: p.dependsOn });
    }
  }
}

function toHandle(plugin: string, value: unknown): PluginHandle {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') {
    throw new RrError(ErrorCodes.PLUGIN_INIT, messages.invalidHandle(plugin, `got ${typeof value}`), { plugin, phase: 'init' });
  }
  for (const hook of ['serve', 'drain', 'stop'] as const) {
    const fn = (value as Record<string, unknown>)[hook];
    if (fn !== undefined && typeof fn !== 'function') {
      throw new RrError(ErrorCodes.PLUGIN_INIT, messages.invalidHandle(plugin, `\`${hook}\` is ${typeof fn}`), { plugin, phase: 'init' });
    }
  }
  return value as PluginHandle;
}

function asRrError(err: unknown): RrError {
  if (err instanceof Error && errorCode(err) !== undefined) return err as RrError;
  // Not expected (every hook error is wrapped), but a kernel bug must still fail start() with a code.
  return new RrError(ErrorCodes.PLUGIN_INIT, `internal kernel error while starting: ${String(err)}`, { cause: err });
}

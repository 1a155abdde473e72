import { describe, expect, it } from 'vitest';
import {
  configViewToken, definePlugin, defineToken, inject, injectable, loggerFactoryToken,
} from '@rr/plugin-api';
import type { AnyPlugin, ConfigView, LogFields, Logger, LoggerFactory, LogLevel, PluginSpec, TokenMap } from '@rr/plugin-api';
import type { LoadedConfig } from '../config/load.js';
import { createKernel } from './kernel.js';
import { reportToDot } from './report-dot.js';
import type { KernelOptions, PluginEntry } from './types.js';

class Loggers implements LoggerFactory {
  readonly lines: { logger: string; level: LogLevel; msg: string; fields: LogFields }[] = [];
  named(name: string): Logger {
    const w = (level: LogLevel) => (msg: string, fields: LogFields = {}) => { this.lines.push({ logger: name, level, msg, fields }); };
    return { name, debug: w('debug'), info: w('info'), warn: w('warn'), error: w('error'), isEnabled: () => true };
  }
}

const plugin = <C = undefined>(spec: Omit<PluginSpec<TokenMap, TokenMap, C>, 'kernel'>): AnyPlugin =>
  definePlugin<TokenMap, TokenMap, C>({ kernel: '^0.1.0', ...spec });

function setup(plugins: AnyPlugin[], data: Record<string, unknown> = {}, extra: Partial<KernelOptions> = {}) {
  const loggers = new Loggers();
  const config: LoadedConfig = { file: '/app/.rr.yaml', dir: '/app', data: { version: '3', ...data }, experimental: false };
  const entries: PluginEntry[] = plugins.map((p) => ({ plugin: p, source: 'builtin', packageName: `@rr/plugin-${p.name}`, packageVersion: '0.1.0' }));
  const kernel = createKernel({ entries, config, loggers, version: '2026.1.0', ...extra });
  return { kernel, loggers, config };
}

/** A promise plus its resolver, for hooks that wait on the test. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('resolve()', () => {
  it('is pure and memoised: no hook runs, nothing is logged, the state stays created', () => {
    let inits = 0;
    const { kernel, loggers } = setup([plugin({ name: 'a', init: () => { inits++; } })]);
    const first = kernel.resolve();
    expect(kernel.resolve()).toBe(first);
    expect(inits).toBe(0);
    expect(loggers.lines).toEqual([]);
    expect(kernel.state).toBe('created');
    expect(first).toMatchObject({ order: ['a'], problems: [], edges: [] });
  });

  it('treats a null section as absent (RoadRunner: viper IsSet is false for null)', () => {
    const { kernel } = setup([plugin({ name: 'http', config: { schema: {} }, init: () => undefined })], { http: null });
    expect(kernel.resolve().plugins[0]).toMatchObject({ enabled: false, reason: 'the "http" section in /app/.rr.yaml is empty' });
  });

  it('says "the configuration" when there is no file', () => {
    const loggers = new Loggers();
    const kernel = createKernel({
      entries: [{ plugin: plugin({ name: 'http', config: { schema: {} }, init: () => undefined }), source: 'builtin', packageName: 'x', packageVersion: '1' }],
      config: { file: undefined, dir: '/', data: {}, experimental: false }, loggers, version: '1',
    });
    expect(kernel.resolve().plugins[0]?.reason).toBe('no "http" section in the configuration');
  });

  it('reports an enabled() that throws, and an invalid grace period, as problems instead of throwing', () => {
    const { kernel } = setup([plugin({ name: 'a', enabled: () => { throw new Error('nope'); }, init: () => undefined })], { endure: { grace_period: 'soon' } });
    expect(kernel.resolve().problems.map((p) => p.code)).toEqual(['RR_ERR_CONFIG_INVALID', 'RR_ERR_PLUGIN_INVALID']);
    expect(kernel.resolve().problems[1]?.message).toContain('threw from enabled()');
  });

  it('reports one token id used as plain by one plugin and multi by another', () => {
    const { kernel } = setup([
      plugin({ name: 'rpc', collects: [defineToken('rpc.services', { multi: true })], init: () => undefined }),
      plugin({ name: 'kv', provides: [defineToken('rpc.services')], init: () => undefined }),
    ]);
    expect(kernel.resolve().problems).toMatchObject([{
      code: 'RR_ERR_PLUGIN_INVALID',
      plugin: 'kv',
      message: expect.stringContaining('it uses token "rpc.services" as a plain token, but "rpc" uses it as a multi token'),
    }]);
  });

  it('compiles a copy of the section and deep-freezes the result', async () => {
    let seen: unknown;
    const { kernel, config } = setup([plugin<{ list: string[] }>({
      name: 'kv',
      config: { schema: {}, compile: (raw) => { (raw as { list: string[] }).list.push('added'); return raw as { list: string[] }; } },
      init: (ctx) => { seen = ctx.config; },
    })], { kv: { list: ['a'] } });
    await kernel.start();
    expect(seen).toEqual({ list: ['a', 'added'] });
    expect(Object.isFrozen(seen)).toBe(true);
    expect(Object.isFrozen((seen as { list: string[] }).list)).toBe(true);
    expect(config.data['kv']).toEqual({ list: ['a'] });
    await kernel.stop();
  });
});

describe('states', () => {
  it('walks created → resolved → initialized → running → draining → stopping → stopped', async () => {
    const seen: string[] = [];
    let kernelRef: { state: string } | undefined;
    const record = (what: string) => () => { seen.push(`${what}:${kernelRef?.state}`); };
    const { kernel } = setup([plugin({
      name: 'a',
      init: () => { record('init')(); return { serve: record('serve'), drain: record('drain'), stop: record('stop') }; },
    })]);
    kernelRef = kernel;
    expect(kernel.state).toBe('created');
    await kernel.start();
    expect(kernel.state).toBe('running');
    await kernel.stop();
    expect(kernel.state).toBe('stopped');
    expect(seen).toEqual(['init:resolved', 'serve:initialized', 'drain:draining', 'stop:stopping']);
  });

  it('refuses a second start and a start after stop, naming the state', async () => {
    const { kernel } = setup([plugin({ name: 'a', init: () => undefined })]);
    await kernel.start();
    await expect(kernel.start()).rejects.toMatchObject({ code: 'RR_ERR_KERNEL_STATE' });
    await kernel.stop();
    const fresh = setup([]).kernel;
    await fresh.stop();
    expect(fresh.state).toBe('stopped');
    await expect(fresh.start()).rejects.toMatchObject({ code: 'RR_ERR_KERNEL_STATE', message: expect.stringContaining('"stopped"') });
  });

  it('fails with RR_ERR_KERNEL_RESOLVE carrying every problem, in state failed', async () => {
    const token = defineToken<string>('x.missing');
    const { kernel, loggers } = setup([plugin({ name: 'a', deps: { t: token }, init: () => undefined }), plugin({ name: 'b', deps: { t: token }, init: () => undefined })]);
    const err = await kernel.start().catch((e: unknown) => e) as { code: string; errors: { code: string; plugin: string }[] };
    expect(err.code).toBe('RR_ERR_KERNEL_RESOLVE');
    expect(err.errors.map((e) => [e.code, e.plugin])).toEqual([['RR_ERR_DEP_MISSING', 'a'], ['RR_ERR_DEP_MISSING', 'b']]);
    expect(kernel.state).toBe('failed');
    expect(loggers.lines.find((l) => l.level === 'error')?.fields).toMatchObject({ phase: 'resolve', code: 'RR_ERR_KERNEL_RESOLVE' });
    expect(await kernel.stop()).toEqual({ ok: true, errors: [], unfinished: [] });
  });
});

describe('stop()', () => {
  it('is memoised: concurrent calls share one shutdown and hooks run once', async () => {
    let stops = 0;
    const { kernel } = setup([plugin({ name: 'a', init: () => ({ stop: () => { stops++; } }) })]);
    await kernel.start();
    const [x, y] = [kernel.stop('signal'), kernel.stop('test')];
    expect(x).toBe(y);
    expect(await x).toEqual({ ok: true, errors: [], unfinished: [] });
    expect(stops).toBe(1);
  });

  it('keeps stopping the others when a hook throws, and reports it wrapped once', async () => {
    const order: string[] = [];
    const t = defineToken<string>('a.value');
    const { kernel } = setup([
      plugin({ name: 'a', provides: [t], init: (ctx) => { ctx.provide(t, 'v'); return { stop: () => { order.push('a'); } }; } }),
      plugin({ name: 'b', deps: { t }, init: () => ({ drain: () => { throw Object.assign(new Error('socket gone'), { code: 'EBADF' }); }, stop: () => { order.push('b'); } }) }),
    ]);
    await kernel.start();
    const outcome = await kernel.stop();
    expect(order).toEqual(['b', 'a']);
    expect(outcome.ok).toBe(false);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ code: 'RR_ERR_PLUGIN_STOP', plugin: 'b', phase: 'drain', message: expect.stringContaining('EBADF: socket gone') });
    expect((outcome.errors[0]?.cause as { code: string }).code).toBe('EBADF');
  });

  it('interrupts a start that is waiting for serve(), rolls back, and resolves ok', async () => {
    const serving = deferred();
    const events: string[] = [];
    const { kernel } = setup([
      plugin({ name: 'a', init: () => ({ stop: () => { events.push('stop:a'); } }) }),
      plugin({
        name: 'slow',
        init: () => ({
          serve: (signal) => new Promise<void>((_, reject) => {
            serving.resolve();
            signal.addEventListener('abort', () => { events.push('serve aborted'); reject(signal.reason); });
          }),
          stop: () => { events.push('stop:slow'); },
        }),
      }),
    ]);
    const started = kernel.start().catch((e: unknown) => e);
    await serving.promise;
    const outcome = await kernel.stop('SIGTERM');
    expect(outcome).toEqual({ ok: true, errors: [], unfinished: [] });
    expect(await started).toMatchObject({ code: 'RR_ERR_KERNEL_STATE', message: expect.stringContaining('interrupted by stop() (SIGTERM)') });
    expect(events).toEqual(['serve aborted', 'stop:slow', 'stop:a']);
    expect(kernel.state).toBe('stopped');
  });
});

describe('fatal errors', () => {
  it('fail a start that is still in progress with RR_ERR_PLUGIN_FATAL', async () => {
    const { kernel } = setup([plugin({
      name: 'w',
      init: (ctx) => ({ serve: () => { ctx.fatal(new Error('worker died during boot')); return new Promise<void>(() => undefined); } }),
    })]);
    await expect(kernel.start()).rejects.toMatchObject({ code: 'RR_ERR_PLUGIN_FATAL', plugin: 'w', phase: 'serve' });
    expect(kernel.state).toBe('failed');
  });

  it('after ready: reach every listener once, also one registered late', async () => {
    let fatal!: (e: unknown) => void;
    const { kernel, loggers } = setup([plugin({ name: 'w', init: (ctx) => { fatal = ctx.fatal; } })]);
    await kernel.start();
    const early: string[] = [];
    kernel.onFatal((e) => early.push(e.code));
    fatal(new Error('first'));
    fatal(new Error('second'));
    const late = await new Promise<string>((resolve) => kernel.onFatal((e) => resolve(String((e.cause as Error).message))));
    expect(early).toEqual(['RR_ERR_PLUGIN_FATAL']);
    expect(late).toBe('first');
    expect(loggers.lines.filter((l) => l.level === 'error' && l.fields['code'] === 'RR_ERR_PLUGIN_FATAL')).toHaveLength(2);
    await kernel.stop();
  });
});

describe('init', () => {
  it('times out with RR_ERR_PLUGIN_TIMEOUT', async () => {
    const { kernel } = setup([plugin({ name: 'hang', startTimeoutMs: 30, init: () => new Promise<undefined>(() => undefined) })]);
    await expect(kernel.start()).rejects.toMatchObject({ code: 'RR_ERR_PLUGIN_TIMEOUT', plugin: 'hang', phase: 'init' });
  });

  it('rejects misuse of the context: undeclared provide, collected() during init', async () => {
    const t = defineToken<string>('a.value');
    const m = defineToken<string>('a.multi', { multi: true });
    const provideUndeclared = setup([plugin({ name: 'a', init: (ctx) => { ctx.provide(t, 'x'); } })]).kernel;
    const err = await provideUndeclared.start().catch((e: unknown) => e) as { code: string; cause: { code: string; message: string } };
    expect(err.code).toBe('RR_ERR_PLUGIN_INIT');
    expect(err.cause).toMatchObject({ code: 'RR_ERR_PLUGIN_INVALID', message: expect.stringContaining('not in its `provides` list') });

    const early = setup([plugin({ name: 'rpc', collects: [m], init: (ctx) => { ctx.collected(m); } })]).kernel;
    await expect(early.start()).rejects.toMatchObject({ code: 'RR_ERR_PLUGIN_INIT', message: expect.stringContaining('Read it in serve()') });
  });

  it('hands out the kernel tokens and the logger named after the plugin', async () => {
    let got: { view?: ConfigView; loggers?: LoggerFactory; logger?: string } = {};
    const { kernel, loggers } = setup([plugin({
      name: 'a',
      deps: { view: configViewToken, loggers: loggerFactoryToken },
      init: (ctx) => { got = { view: ctx.deps['view'] as ConfigView, loggers: ctx.deps['loggers'] as LoggerFactory, logger: ctx.logger.name }; },
    })], { endure: { grace_period: '2s' } });
    await kernel.start();
    expect(got.view?.gracePeriodMs).toBe(2000);
    expect(got.loggers).toBe(loggers);
    expect(got.logger).toBe('a');
    await kernel.stop();
  });
});

describe('DI container', () => {
  it('resolves provided tokens and kernel tokens by id, injects by token, and disposes after every stop', async () => {
    const events: string[] = [];
    const greeting = defineToken<string>('a.greeting');
    const greeterToken = defineToken<{ greet(): string }>('b.greeter');

    @injectable()
    class Greeter {
      constructor(@inject(greeting) private readonly word: string, @inject(configViewToken) private readonly view: ConfigView) {}
      greet(): string { return `${this.word} from ${this.view.workDir}`; }
      dispose(): void { events.push('dispose:greeter'); }
    }

    const { kernel } = setup([
      plugin({ name: 'a', provides: [greeting], init: (ctx) => { ctx.provide(greeting, 'hello'); return { stop: () => { events.push('stop:a'); } }; } }),
      plugin({
        name: 'b',
        deps: { greeting },
        init: (ctx) => {
          ctx.container.registerClass(greeterToken, Greeter);
          const greeter = ctx.container.resolve(greeterToken);
          expect(ctx.container.resolve(greeterToken)).toBe(greeter);
          events.push(greeter.greet());
          expect(() => ctx.container.resolve(defineToken('z.unknown'))).toThrow(/nothing is registered/);
          return { stop: () => { events.push('stop:b'); } };
        },
      }),
    ]);
    await kernel.start();
    await kernel.stop();
    expect(events).toEqual(['hello from /app', 'stop:b', 'stop:a', 'dispose:greeter']);
  });

  it('keeps two kernels apart', async () => {
    const t = defineToken<string>('a.value');
    const seen: string[] = [];
    const make = (value: string) => setup([
      plugin({ name: 'a', provides: [t], init: (ctx) => { ctx.provide(t, value); } }),
      plugin({ name: 'b', deps: { t }, init: (ctx) => { seen.push(ctx.container.resolve(t)); } }),
    ]).kernel;
    const [k1, k2] = [make('one'), make('two')];
    await k1.start();
    await k2.start();
    expect(seen).toEqual(['one', 'two']);
    await Promise.all([k1.stop(), k2.stop()]);
  });
});

describe('reportToDot', () => {
  it('renders positions, token edges by kind, and disabled plugins with their reason, escaped', () => {
    const t = defineToken<string>('pool.factory');
    const m = defineToken<string>('rpc.services', { multi: true });
    const { kernel } = setup([
      plugin({ name: 'rpc', collects: [m], init: () => undefined }),
      plugin({ name: 'pool', provides: [t], init: () => undefined }),
      plugin({ name: 'http', deps: { t }, contributes: [m], init: () => undefined }),
      plugin({ name: 'kv', config: { schema: {} }, enabled: () => ({ enabled: false, reason: 'say "no"' }), init: () => undefined }),
    ], { kv: {} });
    expect(reportToDot(kernel.resolve())).toBe([
      'digraph rr {',
      '  rankdir=LR;',
      '  node [shape=box, fontname="Helvetica"];',
      '  edge [fontname="Helvetica", fontsize=10];',
      '  "rpc" [label="1. rpc"];',
      '  "pool" [label="2. pool"];',
      '  "http" [label="3. http"];',
      '  "kv" [label="kv\\n(disabled: say \\"no\\")", style=dashed, color=gray50, fontcolor=gray50];',
      '  "rpc" -> "http" [label="rpc.services", style=dotted, arrowhead=empty];',
      '  "pool" -> "http" [label="pool.factory"];',
      '}',
      '',
    ].join('\n'));
  });
});

/**
 * Building blocks for kernel scenarios. A scenario is data: fake plugin specs, a config, and what
 * must happen. The runner (scenarios.test.ts) turns the specs into real plugins that record events
 * (`init:a`, `serve:a`, `drain:a`, `stop:a`, …) into a fresh list for every run.
 */
import { defineToken, definePlugin } from '@rr/plugin-api';
import type { AnyPlugin, Enablement, InitContext, LogFields, LogLevel, Logger, LoggerFactory, PluginHandle, Token, TokenMap } from '@rr/plugin-api';

/** What a fake plugin declares and how it misbehaves. */
export interface FakeSpec {
  readonly name: string;
  readonly deps?: readonly Token<unknown>[];
  readonly optionalDeps?: readonly Token<unknown>[];
  /** Provided in init with the value `"<token id> from <name>"`, unless `skipProvide`. */
  readonly provides?: readonly Token<unknown>[];
  /** Contributed in init with the plugin's name as the value. */
  readonly contributes?: readonly Token<unknown>[];
  /** Read in serve; recorded as `collected:<name>:<token>=<plugins>`. */
  readonly collects?: readonly Token<unknown>[];
  readonly config?: { readonly section?: string; readonly schema?: object; readonly required?: boolean; readonly compile?: (raw: unknown) => unknown };
  readonly enabled?: (config: unknown) => Enablement;
  /** Semver range of the plugin API. @default "^0.1.0" */
  readonly kernel?: string;
  readonly startTimeoutMs?: number;
  readonly skipProvide?: boolean;
  /** Hooks that throw: an Error with this code and message `<hook> of <name> broke`. */
  readonly throwIn?: readonly ('init' | 'serve' | 'drain' | 'stop')[];
  /** serve() waits for its signal, records `serve-aborted:<name>`, and rejects. */
  readonly serveAwaitsSignal?: boolean;
  /** stop() waits for its signal and records `stop-aborted:<name>`: a plugin that ignores the grace period. */
  readonly stopAwaitsSignal?: boolean;
  /** stop() yields this many macrotasks before finishing and records `stopped:<name>`. */
  readonly stopTicks?: number;
  /** init() waits until the kernel logs a progress line naming it. */
  readonly initAwaitsProgressLog?: boolean;
  /** The runner calls ctx.fatal(new Error(…)) on this plugin once start() resolved. */
  readonly fatalAfterReady?: boolean;
}

/** A raw entry that is not built by the harness (invalid objects, hand-made plugins). */
export interface RawEntry {
  readonly raw: unknown;
  readonly packageName?: string;
}

export interface Scenario {
  readonly description: string;
  readonly plugins: readonly (FakeSpec | RawEntry)[];
  /** Top-level config sections (`version: "3"` is added). */
  readonly config: Record<string, unknown>;
  readonly startTimeoutMs?: number;
  /**
   * When the graph alone fixes the order, the runner also runs the scenario with the registration
   * shuffled by a few seeds and expects the very same events.
   */
  readonly orderFixedByGraph?: boolean;
  readonly expectedEvents?: readonly string[];
  readonly expectedError?: {
    readonly code: string;
    readonly plugin?: string;
    readonly phase?: string;
    readonly messageIncludes?: readonly string[];
    /** For RR_ERR_KERNEL_RESOLVE: every problem, in order. */
    readonly problems?: readonly { readonly code: string; readonly plugin?: string; readonly messageIncludes?: readonly string[] }[];
  };
  readonly expectedStop?: { readonly ok: boolean; readonly unfinished?: readonly string[]; readonly errorCodes?: readonly string[] };
  /** Log records that must appear (a subset match on each). */
  readonly expectedLogs?: readonly { readonly logger: string; readonly level: LogLevel; readonly msgIncludes: string; readonly fields?: LogFields }[];
}

export const fake = (spec: FakeSpec): FakeSpec => spec;
export const token = <T = string>(id: string): Token<T> => defineToken<T>(id);
export const multiToken = <T = string>(id: string): Token<T> => defineToken<T>(id, { multi: true });

export interface LogRecord {
  readonly logger: string;
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: LogFields;
}

/** A LoggerFactory that keeps every record, and lets tests wait for one. */
export class MemoryLoggers implements LoggerFactory {
  readonly records: LogRecord[] = [];
  readonly #waiters: { match: (r: LogRecord) => boolean; resolve: () => void }[] = [];

  named(name: string): Logger {
    const write = (level: LogLevel) => (msg: string, fields: LogFields = {}) => this.#add({ logger: name, level, msg, fields });
    return { name, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), isEnabled: () => true };
  }

  /** Resolves once a record matching `match` has been written (including before the call). */
  waitFor(match: (r: LogRecord) => boolean): Promise<void> {
    if (this.records.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }

  #add(record: LogRecord): void {
    this.records.push(record);
    for (const w of [...this.#waiters]) {
      if (w.match(record)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
}

const toMap = (tokens: readonly Token<unknown>[] | undefined): TokenMap =>
  Object.fromEntries((tokens ?? []).map((t) => [t.id, t]));

function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Turns a spec into a real plugin that records into `events`. */
export function materialize(spec: FakeSpec, events: string[], loggers: MemoryLoggers, fatalTriggers: (() => void)[]): AnyPlugin {
  const { name } = spec;
  const fail = (hook: 'init' | 'serve' | 'drain' | 'stop'): void => {
    if (spec.throwIn?.includes(hook)) throw codedError('E_FAKE_BROKEN', `${hook} of ${name} broke`);
  };
  return definePlugin<TokenMap, TokenMap, unknown>({
    name,
    kernel: spec.kernel ?? '^0.1.0',
    description: `fake plugin ${name}`,
    deps: toMap(spec.deps),
    optionalDeps: toMap(spec.optionalDeps),
    provides: spec.provides ?? [],
    contributes: spec.contributes ?? [],
    collects: spec.collects ?? [],
    ...(spec.config === undefined ? {} : {
      config: {
        schema: spec.config.schema ?? { type: 'object' },
        ...(spec.config.section === undefined ? {} : { section: spec.config.section }),
        ...(spec.config.required === undefined ? {} : { required: spec.config.required }),
        ...(spec.config.compile === undefined ? {} : { compile: spec.config.compile }),
      },
    }),
    ...(spec.enabled === undefined ? {} : { enabled: spec.enabled }),
    ...(spec.startTimeoutMs === undefined ? {} : { startTimeoutMs: spec.startTimeoutMs }),
    async init(ctx: InitContext<TokenMap, TokenMap, unknown>): Promise<PluginHandle> {
      events.push(`init:${name}`);
      for (const [id, value] of Object.entries(ctx.optionalDeps)) events.push(`optional:${name}:${id}=${String(value)}`);
      if (spec.initAwaitsProgressLog) {
        await loggers.waitFor((r) => r.logger === 'endure' && r.msg.startsWith('still initializing') && r.fields['plugin'] === name);
      }
      fail('init');
      if (!spec.skipProvide) for (const t of spec.provides ?? []) ctx.provide(t, `${t.id} from ${name}`);
      for (const t of spec.contributes ?? []) ctx.contribute(t, name);
      if (spec.fatalAfterReady) fatalTriggers.push(() => ctx.fatal(codedError('E_WORKER_DIED', `all workers of ${name} died`)));
      return {
        async serve(signal) {
          events.push(`serve:${name}`);
          for (const t of spec.collects ?? []) {
            events.push(`collected:${name}:${t.id}=${ctx.collected(t).map((c) => `${c.plugin}`).join(',')}`);
          }
          if (spec.serveAwaitsSignal) {
            await aborted(signal, () => events.push(`serve-aborted:${name}`));
            throw signal.reason;
          }
          fail('serve');
        },
        async drain() {
          events.push(`drain:${name}`);
          fail('drain');
        },
        async stop(signal) {
          events.push(`stop:${name}`);
          if (spec.stopAwaitsSignal) {
            await aborted(signal, () => events.push(`stop-aborted:${name}`));
            return;
          }
          if (spec.stopTicks !== undefined) {
            for (let i = 0; i < spec.stopTicks; i++) await new Promise((r) => setImmediate(r));
            events.push(`stopped:${name}`);
          }
          fail('stop');
        },
      };
    },
  });
}

/** Waits for the signal; `record` runs synchronously at the abort so events keep a fixed order. */
function aborted(signal: AbortSignal, record: () => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { record(); resolve(); };
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}

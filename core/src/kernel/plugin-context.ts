import { PLUGIN_API_VERSION, RrError } from '@rr/plugin-api';
import type { ConfigView, Contribution, InitContext, LoggerFactory, Token, TokenMap } from '@rr/plugin-api';
import type { KernelContainer } from '../di/container.js';
import { ErrorCodes } from '../errors/codes.js';
import { messages } from '../errors/messages.js';
import type { PlannedPlugin } from './resolve.js';

/** The kernel-side state every plugin context reads and writes. */
export interface ContextHost {
  /** Token id → value: the kernel's own tokens and everything provided so far. */
  readonly values: Map<string, unknown>;
  /** Multi token id → contributions, in start order. */
  readonly contributions: Map<string, Contribution<unknown>[]>;
  readonly container: KernelContainer;
  readonly view: ConfigView;
  readonly loggers: LoggerFactory;
  readonly version: string;
  /** True once every init() finished: the moment contributions are complete. */
  allInitialized(): boolean;
  fatal(plugin: string, err: unknown): void;
}

export interface OpenContext {
  readonly ctx: InitContext<TokenMap, TokenMap, unknown>;
  /** Token ids this plugin provided. */
  readonly provided: ReadonlySet<string>;
  /** Ends the init window: provide() and contribute() throw afterwards. */
  close(): void;
}

export function createInitContext(planned: PlannedPlugin, host: ContextHost): OpenContext {
  const { name, plugin } = planned;
  const provides = new Set((plugin.provides ?? []).map((t) => t.id));
  const contributes = new Set((plugin.contributes ?? []).map((t) => t.id));
  const collects = new Set((plugin.collects ?? []).map((t) => t.id));
  const provided = new Set<string>();
  let open = true;

  const misuse = (message: string): RrError => new RrError(ErrorCodes.PLUGIN_INVALID, message, { plugin: name });
  const lookup = (map: TokenMap | undefined, optional: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, token] of Object.entries(map ?? {})) {
      // The graph guarantees required values exist: their providers initialised first and were
      // checked for RR_ERR_PROVIDE_MISSING. Optional ones are simply absent when nobody provides them.
      if (!optional && !host.values.has(token.id)) throw new Error(`internal: "${name}" starts before a provider of "${token.id}"`);
      out[key] = host.values.get(token.id);
    }
    return Object.freeze(out);
  };

  const ctx: InitContext<TokenMap, TokenMap, unknown> = {
    name,
    deps: lookup(plugin.deps, false),
    optionalDeps: lookup(plugin.optionalDeps, true),
    config: planned.config,
    rootConfig: host.view,
    logger: host.loggers.named(name),
    loggers: host.loggers,
    container: host.container.createPluginScope(name),
    kernel: Object.freeze({ version: host.version, apiVersion: PLUGIN_API_VERSION }),
    provide<T>(token: Token<T>, value: T): void {
      if (!open) throw misuse(messages.contextClosed(name, 'provide'));
      if (!provides.has(token.id)) throw misuse(messages.provideUndeclared(name, token.id, 'provide', 'provides'));
      if (provided.has(token.id)) throw misuse(messages.provideTwice(name, token.id));
      provided.add(token.id);
      host.values.set(token.id, value);
      host.container.registerValue(token, value);
    },
    contribute<T>(token: Token<T>, value: T): void {
      if (!open) throw misuse(messages.contextClosed(name, 'contribute'));
      if (!contributes.has(token.id)) throw misuse(messages.provideUndeclared(name, token.id, 'contribute', 'contributes'));
      // Kept even when no enabled plugin collects the token: nobody reads it, which is the no-op.
      let list = host.contributions.get(token.id);
      if (list === undefined) host.contributions.set(token.id, list = []);
      list.push(Object.freeze({ plugin: name, value }));
    },
    collected<T>(token: Token<T>): readonly Contribution<T>[] {
      if (!collects.has(token.id)) throw misuse(messages.provideUndeclared(name, token.id, 'collected', 'collects'));
      if (!host.allInitialized()) throw misuse(messages.collectedTooEarly(name, token.id));
      return Object.freeze([...(host.contributions.get(token.id) ?? [])]) as readonly Contribution<T>[];
    },
    fatal(err: unknown): void {
      host.fatal(name, err);
    },
  };

  return { ctx: Object.freeze(ctx), provided, close: () => { open = false; } };
}

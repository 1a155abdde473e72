import type { ConfigView, PluginConfigSpec } from './config.js';
import type { PluginContainer } from './di.js';
import type { Logger, LoggerFactory } from './logger.js';
import type { Token, TokenType } from './token.js';

/** Version of the plugin object format produced by {@link definePlugin}. @public */
export const PLUGIN_FORMAT_VERSION = 1;

/** A map from local names to tokens, e.g. `{ pools: poolFactoryToken }`. @public */
export type TokenMap = Record<string, Token<unknown>>;

/** Resolved services for a token map. @public */
export type Resolved<D extends TokenMap> = { readonly [K in keyof D]: TokenType<D[K]> };
/** Resolved optional services: undefined when no enabled plugin provides them. @public */
export type ResolvedOptional<O extends TokenMap> = { readonly [K in keyof O]: TokenType<O[K]> | undefined };

/** One plugin's contribution to a multi token. @public */
export interface Contribution<T> {
  /** The contributing plugin's name. */
  readonly plugin: string;
  readonly value: T;
}

/**
 * What a plugin's `init` receives.
 * @public
 */
export interface InitContext<D extends TokenMap, O extends TokenMap, C> {
  /** The plugin's own name (also its config section and logger name). */
  readonly name: string;
  /** Required services, keyed as in `deps`. */
  readonly deps: Resolved<D>;
  /** Optional services, keyed as in `optionalDeps`; undefined when nobody provides them. */
  readonly optionalDeps: ResolvedOptional<O>;
  /** The plugin's own section: validated against its schema, compiled, deep-frozen. */
  readonly config: C;
  /** The whole effective configuration, read-only. */
  readonly rootConfig: ConfigView;
  /** A logger named after the plugin. */
  readonly logger: Logger;
  /** Loggers under other names (`server` for worker output, driver names, …). */
  readonly loggers: LoggerFactory;
  /** A DI container scoped to this plugin (a child of the kernel's). */
  readonly container: PluginContainer;
  /** rr's version (calendar version) and the plugin API version. */
  readonly kernel: { readonly version: string; readonly apiVersion: string };
  /** Supplies a value for one of the tokens listed in `provides`. Call during init. */
  provide<T>(token: Token<T>, value: T): void;
  /** Adds a contribution to a multi token listed in `contributes`. Call during init. */
  contribute<T>(token: Token<T>, value: T): void;
  /**
   * Every contribution to a multi token listed in `collects`, in start order. Complete once every
   * plugin has been initialised, so read it in `serve`, not in `init`.
   */
  collected<T>(token: Token<T>): readonly Contribution<T>[];
  /** Reports a failure after the plugin became ready: the kernel shuts down in order and rr exits 1. */
  fatal(err: unknown): void;
}

/**
 * Lifecycle hooks returned from `init`. Each gets an AbortSignal that fires at its deadline.
 * @public
 */
export interface PluginHandle {
  /** Starts serving; resolves when READY (sockets bound, workers past the handshake), not when done. */
  serve?(signal: AbortSignal): Promise<void> | void;
  /** Stops taking new work; in-flight work may still finish. Runs for all plugins before any stop. */
  drain?(signal: AbortSignal): Promise<void> | void;
  /** Releases everything. Runs only after every plugin depending on this one has stopped. */
  stop?(signal: AbortSignal): Promise<void> | void;
}

/** The result of evaluating whether a plugin runs with the current configuration. @public */
export type Enablement = { readonly enabled: true } | { readonly enabled: false; readonly reason: string };

/**
 * Everything a plugin declares about itself.
 * @public
 */
export interface PluginSpec<D extends TokenMap, O extends TokenMap, C> {
  /** Lowercase `^[a-z][a-z0-9_]*$`; equals its YAML section key and its logger name. */
  readonly name: string;
  /** Semver range of `@rr/plugin-api` the plugin was built against, e.g. `^0.1.0`. */
  readonly kernel: string;
  /** One line for `rr plugins list`. */
  readonly description?: string;
  /** Required services. A missing one is a resolution error naming why nobody provides it. */
  readonly deps?: D;
  /** Services used when present. */
  readonly optionalDeps?: O;
  /** Tokens this plugin supplies (with `ctx.provide`) during init. */
  readonly provides?: readonly Token<unknown>[];
  /** Multi tokens this plugin contributes to (with `ctx.contribute`); it starts after their collector. */
  readonly contributes?: readonly Token<unknown>[];
  /** Multi tokens this plugin reads every contribution of (with `ctx.collected`). */
  readonly collects?: readonly Token<unknown>[];
  /**
   * The plugin's config section (named like the plugin). Without it the plugin takes no config and
   * is always enabled. With it, a missing section disables the plugin unless `required`.
   */
  readonly config?: PluginConfigSpec<C>;
  /** Extra condition checked at resolution, after the section is found (e.g. http needs an address). */
  enabled?(config: C, view: ConfigView): Enablement;
  /** Deadline for init and for serve, each. @default 30000 */
  readonly startTimeoutMs?: number;
  init(ctx: InitContext<D, O, C>): PluginHandle | void | Promise<PluginHandle | void>;
}

/**
 * A defined plugin: a frozen plain object. The kernel recognises it by `kind` and `format`, never by
 * `instanceof`, so plugins built against another copy of this package still load.
 * @public
 */
export interface Plugin<D extends TokenMap = TokenMap, O extends TokenMap = TokenMap, C = unknown>
  extends PluginSpec<D, O, C> {
  readonly kind: 'rr.plugin';
  readonly format: typeof PLUGIN_FORMAT_VERSION;
}

/** A plugin of any dependency shape. @public */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPlugin = Plugin<any, any, any>;

const PLUGIN_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Defines a plugin. Importing a plugin module has no side effects: nothing is registered until the
 * kernel is handed the returned object.
 * @public
 */
export function definePlugin<D extends TokenMap = {}, O extends TokenMap = {}, C = undefined>(
  spec: PluginSpec<D, O, C>,
): Plugin<D, O, C> {
  if (!PLUGIN_NAME.test(spec.name)) {
    throw new TypeError(`RR_ERR_PLUGIN_NAME: plugin name "${spec.name}" must match ${PLUGIN_NAME} (it is also its YAML section key)`);
  }
  return Object.freeze({ ...spec, kind: 'rr.plugin' as const, format: PLUGIN_FORMAT_VERSION });
}

/** True for anything shaped like a plugin definition. @public */
export function isPlugin(value: unknown): value is AnyPlugin {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rr.plugin';
}

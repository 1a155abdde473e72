import type { AnyPlugin, LoggerFactory, RrError } from '@rr/plugin-api';
import type { ConfigProblem } from '../config/problem.js';
import type { LoadedConfig } from '../config/load.js';
import type { KernelState } from '../lifecycle/states.js';

export type { KernelState } from '../lifecycle/states.js';

/** One plugin handed to the kernel, with where it came from (for reports and error messages). @public */
export interface PluginEntry {
  plugin: AnyPlugin;
  source: 'builtin' | 'external';
  packageName: string;
  packageVersion: string;
}

/** @public */
export interface KernelOptions {
  /** Registration order matters only as a tie-breaker where the dependency graph leaves order open. */
  entries: PluginEntry[];
  /** The loaded configuration (`loadConfig`). */
  config: LoadedConfig;
  /** The kernel itself logs as logger "endure", like RoadRunner's container. */
  loggers: LoggerFactory;
  /** rr's version, e.g. "2026.1.0". */
  version: string;
  /** Default deadline for each plugin's init and for its serve, in ms. @default 30000 */
  startTimeoutMs?: number;
  /** Validates one plugin's section against its schema. @default no validation */
  validateSection?: (args: { section: string; schema: object; value: unknown; file: string | undefined }) => ConfigProblem[];
}

/** @public */
export interface StopOutcome {
  /** True when every drain and stop finished in time without an error. */
  ok: boolean;
  /** Every drain/stop failure (RR_ERR_PLUGIN_STOP) and, when it ran out, RR_ERR_GRACE_EXPIRED. */
  errors: RrError[];
  /** Plugins whose drain() or stop() was still running when the grace period ran out. */
  unfinished: string[];
}

/** @public */
export interface PluginReport {
  name: string;
  packageName: string;
  packageVersion: string;
  source: 'builtin' | 'external';
  description?: string;
  enabled: boolean;
  /** Why the plugin is disabled. */
  reason?: string;
  /** Token ids. */
  requires: string[];
  optional: string[];
  provides: string[];
  contributes: string[];
  collects: string[];
  /** Plugins this one starts after. */
  dependsOn: string[];
  /** 1-based start position, when enabled and not stuck behind a cycle. */
  position?: number;
}

/** @public */
export interface ReportEdge {
  /** Starts first. */
  from: string;
  to: string;
  token: string;
  /** `requires`/`optional`: provider → consumer; `collects`: collector → contributor. */
  kind: 'requires' | 'optional' | 'collects';
}

/** @public */
export interface ResolutionReport {
  /** Every well-formed plugin, enabled or not, in registration order. */
  plugins: PluginReport[];
  /** Start order of the enabled plugins. */
  order: string[];
  /** Every problem found; start() refuses to run unless this is empty. */
  problems: RrError[];
  edges: ReportEdge[];
}

/** The error start() throws when resolution found problems. @public */
export interface KernelResolveError extends RrError {
  readonly code: 'RR_ERR_KERNEL_RESOLVE';
  readonly errors: RrError[];
}

/** @public */
export interface Kernel {
  readonly state: KernelState;
  /** Pure and memoised: checks plugins, config sections and the graph; never throws, runs no plugin hook. */
  resolve(): ResolutionReport;
  /**
   * Inits every plugin in order, then serves them in order; resolves when every serve() reported
   * ready. Throws RR_ERR_KERNEL_RESOLVE (with every problem in `errors`), or the wrapped init/serve
   * failure after stopping what had already started.
   */
  start(): Promise<void>;
  /**
   * Drains every plugin in reverse order, then stops them; a plugin stops only after everything
   * depending on it has stopped. Memoised: safe to call from a signal handler and a test at once.
   */
  stop(reason?: string): Promise<StopOutcome>;
  /** Called once when a plugin reports a fatal error after rr is running. */
  onFatal(listener: (err: RrError) => void): void;
}

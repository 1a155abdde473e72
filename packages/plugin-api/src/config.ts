/**
 * A read-only view of the whole effective configuration (file, env substitution, `-o`
 * overrides and includes applied). A plugin's own section arrives already validated and compiled
 * in `ctx.config`; this view is for the few keys a plugin legitimately reads from elsewhere
 * (the pool reads `rpc.listen` to give workers `RR_RPC`).
 * @public
 */
export interface ConfigView {
  /** Absolute path of the config file, or undefined when rr runs with no file. */
  readonly file: string | undefined;
  /** The directory relative paths resolve against (RoadRunner: the config file's directory). */
  readonly workDir: string;
  /** `true` when rr was started with `-e/--enable-experimental`. */
  readonly experimental: boolean;
  /** Is the top-level section (or dotted path) present, even if empty? */
  has(path: string): boolean;
  /** The raw value at a dotted path, or undefined; the empty path gives the whole tree. */
  get(path: string): unknown;
  /** `endure.grace_period` in milliseconds (default 30 s). */
  readonly gracePeriodMs: number;
}

/**
 * How a plugin's YAML section is read. The schema is checked with ajv (draft 2019-09), then
 * `compile` fills defaults and checks what a schema cannot express. Throw a
 * {@link ConfigError} from `compile` to name the offending key.
 * @public
 */
export interface PluginConfigSpec<C> {
  /**
   * Dotted path of the section this plugin reads, when it is not the top-level key named after the
   * plugin: RoadRunner's middleware read theirs inside `http` (`http.static`, `http.headers`).
   * @default the plugin's name
   */
  readonly section?: string;
  /** JSON Schema for the section. */
  readonly schema: object;
  /** When true, a missing section is an error instead of disabling the plugin. @default false */
  readonly required?: boolean;
  /** Turns the validated raw section into the compiled config handed to init. */
  compile?(raw: unknown, view: ConfigView): C;
}

/**
 * An error in one key of the configuration. `path` is the dotted key path inside the plugin's
 * section (e.g. `pool.num_workers`), `expected` says what would have been accepted.
 * @public
 */
export class ConfigError extends Error {
  readonly code = 'RR_ERR_CONFIG_INVALID';
  constructor(readonly path: string, readonly expected: string, readonly found?: unknown) {
    super(`${path}: expected ${expected}${found === undefined ? '' : `, found ${JSON.stringify(found)}`}`);
    this.name = 'ConfigError';
  }
}

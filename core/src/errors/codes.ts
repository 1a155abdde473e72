/**
 * Every error code the kernel, the config loader and the CLI can raise. Each one has an entry in
 * docs/errors.md (a test checks both directions). Plugins define their own codes the same way.
 */
export const ErrorCodes = {
  /** Resolution found problems; `errors` holds every one of them. */
  KERNEL_RESOLVE: 'RR_ERR_KERNEL_RESOLVE',
  /** A kernel method was called in a state that does not allow it. */
  KERNEL_STATE: 'RR_ERR_KERNEL_STATE',
  /** A plugin requires a token no enabled plugin provides. */
  DEP_MISSING: 'RR_ERR_DEP_MISSING',
  /** Two enabled plugins provide the same (non-multi) token. */
  DEP_DUPLICATE: 'RR_ERR_DEP_DUPLICATE',
  /** Plugins depend on each other in a cycle. */
  DEP_CYCLE: 'RR_ERR_DEP_CYCLE',
  /** A plugin was built for a plugin API version this kernel does not offer. */
  PLUGIN_VERSION_MISMATCH: 'RR_ERR_PLUGIN_VERSION_MISMATCH',
  /** Something handed to the kernel is not a valid plugin definition. */
  PLUGIN_INVALID: 'RR_ERR_PLUGIN_INVALID',
  /** Two plugins share one name. */
  PLUGIN_DUPLICATE: 'RR_ERR_PLUGIN_DUPLICATE',
  /** A third-party plugin package could not be loaded. */
  PLUGIN_LOAD: 'RR_ERR_PLUGIN_LOAD',
  /** A plugin's init did not supply a token it declared in `provides`. */
  PROVIDE_MISSING: 'RR_ERR_PROVIDE_MISSING',
  /** A plugin's init failed. */
  PLUGIN_INIT: 'RR_ERR_PLUGIN_INIT',
  /** A plugin's serve failed. */
  PLUGIN_SERVE: 'RR_ERR_PLUGIN_SERVE',
  /** A plugin's drain or stop failed. */
  PLUGIN_STOP: 'RR_ERR_PLUGIN_STOP',
  /** A plugin hook did not finish within its deadline. */
  PLUGIN_TIMEOUT: 'RR_ERR_PLUGIN_TIMEOUT',
  /** A plugin reported a fatal error after it was ready. */
  PLUGIN_FATAL: 'RR_ERR_PLUGIN_FATAL',
  /** The shutdown grace period ran out before every plugin stopped. */
  GRACE_EXPIRED: 'RR_ERR_GRACE_EXPIRED',
  /** The configuration is invalid; `errors` lists every problem with its key path. */
  CONFIG_INVALID: 'RR_ERR_CONFIG_INVALID',
  /** The configuration file does not exist or cannot be read. */
  CONFIG_NOT_FOUND: 'RR_ERR_CONFIG_NOT_FOUND',
  /** The configuration file is not valid YAML or JSON. */
  CONFIG_PARSE: 'RR_ERR_CONFIG_PARSE',
  /** `version` is missing or not a string. */
  CONFIG_VERSION: 'RR_ERR_CONFIG_VERSION',
  /** A `-o key=value` flag is malformed. */
  CONFIG_OVERRIDE: 'RR_ERR_CONFIG_OVERRIDE',
  /** An included file is missing, invalid, or has another version. */
  CONFIG_INCLUDE: 'RR_ERR_CONFIG_INCLUDE',
  /** The dotenv file could not be read. */
  CONFIG_DOTENV: 'RR_ERR_CONFIG_DOTENV',
  /** Unknown command, unknown flag, or a missing argument. */
  CLI_USAGE: 'RR_ERR_CLI_USAGE',
  /** A log output (`logs.output`, a channel's output, or `file_logger_options.log_output`) cannot be opened. */
  LOGS_OUTPUT: 'RR_ERR_LOGS_OUTPUT',
  /** `rr reset`/`rr workers`: the configuration has no `rpc` section, so there is no server address. */
  CLI_RPC_NOT_CONFIGURED: 'RR_ERR_CLI_RPC_NOT_CONFIGURED',
  /** `rr reset`/`rr workers`: `rpc.listen` is missing or not a tcp:// or unix:// address. */
  CLI_RPC_ADDRESS: 'RR_ERR_CLI_RPC_ADDRESS',
  /** `rr reset`/`rr workers`: nothing answers at `rpc.listen` (is `rr serve` running?). */
  CLI_RPC_CONNECT: 'RR_ERR_CLI_RPC_CONNECT',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

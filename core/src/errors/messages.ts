/**
 * Every kernel error message, in one place so the tone stays the same: what failed → for whom →
 * what we saw → how to fix it. Messages never start with the code; printers add it from `err.code`.
 */
import { errorCode } from '@rr/plugin-api';
import type { Phase } from '@rr/plugin-api';

const q = (s: string): string => `"${s}"`;
const list = (names: readonly string[]): string => names.map(q).join(', ');
const where = (file: string | undefined): string => file ?? 'the configuration';

/** A short, single-line rendering of anything thrown, keeping its code visible. */
export function describeThrown(err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : safeJson(err);
  return code !== undefined && !message.startsWith(code) ? `${code}: ${message}` : message;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export const messages = {
  /** The reason a plugin with a config spec is disabled when its section is absent. */
  noSection: (plugin: string, file: string | undefined): string =>
    `no ${q(plugin)} section in ${where(file)}`,

  emptySection: (plugin: string, file: string | undefined): string =>
    `the ${q(plugin)} section in ${where(file)} is empty`,

  kernelResolve: (count: number): string =>
    `rr cannot start: resolving the plugins found ${count} problem${count === 1 ? '' : 's'}; each is listed in \`errors\` with its own code`,

  kernelState: (action: string, state: string, allowed: readonly string[]): string =>
    `cannot ${action} while the kernel is ${q(state)} (allowed in: ${list(allowed)}); create a new kernel instead of reusing this one`,

  pluginInvalid: (who: string, problem: string): string =>
    `${who} is not a valid rr plugin: ${problem}. Build it with definePlugin() from @rr/plugin-api and export the result`,

  /** Names an entry that may not even have a usable name. */
  entryLabel: (name: string | undefined, index: number, pkg: string | undefined): string =>
    `${name === undefined ? `plugin #${index + 1}` : `plugin ${q(name)}`} from ${q(pkg ?? 'unknown package')}`,

  tokenKindConflict: (token: string, multi: boolean, other: string): string =>
    `it uses token ${q(token)} as ${multi ? 'a multi' : 'a plain'} token, but ${q(other)} uses it as ${multi ? 'a plain' : 'a multi'} token; both must come from the same defineToken()`,

  schemaUnusable: (plugin: string, err: unknown): string =>
    `the config schema of plugin ${q(plugin)} cannot be used: ${err instanceof Error ? err.message : String(err)}`,

  disposeFailed: (err: unknown): string =>
    `disposing the DI container after every plugin stopped failed: ${describeThrown(err)}`,

  unresolvedToken: (plugin: string, token: string): string =>
    `plugin ${q(plugin)} resolved token ${q(token)}, but nothing is registered for it in its container; provide it (ctx.provide / container.register) before resolving it`,

  fatalWhileStopping: (plugin: string, state: string, err: unknown): string =>
    `plugin ${q(plugin)} reported a fatal error while rr was ${state}: ${describeThrown(err)}`,

  disabled: (plugin: string, reason: string): string =>
    `plugin ${q(plugin)} is disabled: ${reason}`,

  pluginDuplicate: (name: string, packages: readonly string[]): string =>
    `two plugins are named ${q(name)} (from ${list(packages)}); a name is also a config section, so it must be unique. Remove one of them from the plugin list`,

  versionMismatch: (name: string, pkg: string, range: string, apiVersion: string, validRange: boolean): string =>
    validRange
      ? `plugin ${q(name)} (from ${q(pkg)}) was built for @rr/plugin-api ${range}, but this rr offers ${apiVersion}. Upgrade the plugin or use an rr release matching its range`
      : `plugin ${q(name)} (from ${q(pkg)}) declares kernel ${q(range)}, which is not a valid semver range. Set \`kernel\` to a range such as "^${apiVersion}"`,

  depMissing: (consumer: string, token: string, disabled: readonly { name: string; reason: string }[]): string => {
    const seen = disabled.length === 0
      ? 'none'
      : disabled.map((d) => `${q(d.name)} is disabled: ${d.reason}`).join('; ');
    const fix = disabled.length === 0
      ? `Add a plugin that provides ${q(token)}, or move the token to optionalDeps of ${q(consumer)}`
      : `Enable ${disabled.length === 1 ? q(disabled[0]!.name) : `one of ${list(disabled.map((d) => d.name))}`}, or move the token to optionalDeps of ${q(consumer)}`;
    return `plugin ${q(consumer)} requires token ${q(token)}, but no enabled plugin provides it. Providers seen: ${seen}. ${fix}`;
  },

  depDuplicate: (token: string, providers: readonly string[]): string =>
    `token ${q(token)} is provided by ${providers.length} plugins: ${list(providers)}; a plain token has exactly one provider. Disable all but one of them (remove its config section), or make the token a multi token if several contributions are intended`,

  depKernelToken: (plugin: string, token: string): string =>
    `plugin ${q(plugin)} declares that it provides ${q(token)}, which the kernel itself provides. Remove it from \`provides\``,

  depCycle: (path: readonly string[], steps: readonly string[], truncatedAfter?: number): string =>
    `dependency cycle: ${path.map(q).join(' -> ')} (${steps.join('; ')}). Break it by moving the shared part into its own token, or by making one of the dependencies optional and reading it in serve()`
    + (truncatedAfter === undefined ? '' : `. Only the first ${truncatedAfter} cycles are listed`),

  cycleStep: (consumer: string, provider: string, token: string, kind: 'requires' | 'optional' | 'collects'): string =>
    kind === 'collects'
      ? `${q(consumer)} contributes to ${q(token)} collected by ${q(provider)}`
      : `${q(consumer)} ${kind === 'optional' ? 'optionally needs' : 'needs'} ${q(token)} from ${q(provider)}`,

  /** `problem` is the config loader's ready-made line: `<file>: <path>: found <json>, expected <...>`. */
  configInvalid: (plugin: string, problem: string): string =>
    `invalid configuration for plugin ${q(plugin)}: ${problem}`,

  sectionRequired: (plugin: string): string =>
    `a ${q(plugin)} section (plugin ${q(plugin)} cannot run without one; see its README for an example)`,

  configCompileFailed: (plugin: string, err: unknown): string =>
    `the ${q(plugin)} section could not be compiled: ${describeThrown(err)}`,

  enabledThrew: (plugin: string, err: unknown): string =>
    `plugin ${q(plugin)} threw from enabled() instead of returning { enabled, reason }: ${describeThrown(err)}`,

  hookFailed: (plugin: string, phase: Phase, err: unknown): string =>
    `plugin ${q(plugin)} failed in ${phase}(): ${describeThrown(err)}`,

  hookTimeout: (plugin: string, phase: Phase, ms: number): string =>
    `plugin ${q(plugin)} did not finish ${phase}() within ${ms} ms; is it awaiting something that never resolves? Raise the plugin's startTimeoutMs if it legitimately needs longer`,

  stillRunning: (phase: Phase, names: readonly string[], elapsedMs: number): string =>
    phase === 'init'
      ? `still initializing: ${names.join(', ')} (${elapsedMs} ms)`
      : `still waiting for ${phase}(): ${names.join(', ')} (${elapsedMs} ms)`,

  provideMissing: (plugin: string, tokens: readonly string[]): string =>
    `plugin ${q(plugin)} declares that it provides ${list(tokens)}, but its init() returned without calling ctx.provide() for ${tokens.length === 1 ? 'it' : 'them'}. Provide every declared token, or remove it from \`provides\``,

  provideUndeclared: (plugin: string, token: string, verb: 'provide' | 'contribute' | 'collected', declared: 'provides' | 'contributes' | 'collects'): string =>
    `plugin ${q(plugin)} called ctx.${verb}(${q(token)}), but ${q(token)} is not in its \`${declared}\` list. Declare it there so the kernel can order plugins by it`,

  provideTwice: (plugin: string, token: string): string =>
    `plugin ${q(plugin)} called ctx.provide(${q(token)}) twice; a token has exactly one value`,

  contextClosed: (plugin: string, verb: string): string =>
    `plugin ${q(plugin)} called ctx.${verb}() after its init() finished; call it during init()`,

  collectedTooEarly: (plugin: string, token: string): string =>
    `plugin ${q(plugin)} read ctx.collected(${q(token)}) during init(), before its contributors were initialised. Read it in serve(), when every contribution is in`,

  invalidHandle: (plugin: string, what: string): string =>
    `plugin ${q(plugin)} returned an invalid handle from init(): ${what}. Return nothing, or an object whose serve/drain/stop are functions`,

  fatal: (plugin: string, err: unknown): string =>
    `plugin ${q(plugin)} reported a fatal error while running: ${describeThrown(err)}. rr stops every plugin and exits`,

  fatalBeforeReady: (plugin: string, err: unknown): string =>
    `plugin ${q(plugin)} reported a fatal error while rr was starting: ${describeThrown(err)}`,

  interruptedStart: (reason: string | undefined): string =>
    `start was interrupted by stop()${reason === undefined ? '' : ` (${reason})`}; the plugins already initialised were stopped`,

  graceExpired: (unfinished: readonly string[], graceMs: number): string =>
    `the grace period of ${graceMs} ms ran out before ${list(unfinished)} finished stopping; rr stopped waiting for ${unfinished.length === 1 ? 'it' : 'them'}. Raise endure.grace_period, or make drain()/stop() honour their AbortSignal`,
} as const;

// Only the two functions used: the whole of semver costs several ms more at every start.
import satisfies from 'semver/functions/satisfies.js';
import validRangeOf from 'semver/ranges/valid.js';
import { ConfigError, PLUGIN_API_VERSION, RrError, configViewToken, errorCode, loggerFactoryToken } from '@rr/plugin-api';
import type { AnyPlugin, ConfigView, Token } from '@rr/plugin-api';
import { configProblem, type ConfigProblem } from '../config/problem.js';
import { ErrorCodes } from '../errors/codes.js';
import { messages } from '../errors/messages.js';
import { buildDependencyGraph, type GraphNode } from '../graph/dependency-graph.js';
import { freezePlain } from './freeze.js';
import type { KernelOptions, PluginEntry, PluginReport, ResolutionReport } from './types.js';
import { pluginShapeProblems } from './validate-plugin.js';

/** Tokens the kernel registers itself; plugins may require them without any provider. */
export const KERNEL_TOKENS: readonly Token<unknown>[] = [configViewToken, loggerFactoryToken];

/** A plugin that will run, with its compiled config. */
export interface PlannedPlugin {
  readonly name: string;
  readonly plugin: AnyPlugin;
  readonly entry: PluginEntry;
  readonly config: unknown;
}

/** What start() needs beyond the report. Only meaningful when `report.problems` is empty. */
export interface ResolvedPlan {
  readonly report: ResolutionReport;
  /** Enabled plugins in start order. */
  readonly plugins: readonly PlannedPlugin[];
  readonly disabled: readonly { readonly name: string; readonly reason: string }[];
  /** For each plugin, the plugins that must have stopped before it stops (everything starting after it because of it). */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
}

export interface ResolveInput {
  readonly entries: readonly PluginEntry[];
  readonly config: KernelOptions['config'];
  readonly view: ConfigView;
  readonly validateSection: KernelOptions['validateSection'];
  /** Weak typing (`"4"` → 4) for a section before it is compiled; identity when absent. */
  readonly coerce?: (schema: object, value: unknown) => unknown;
}

interface Candidate {
  readonly rank: number;
  readonly entry: PluginEntry;
  readonly plugin: AnyPlugin;
  readonly name: string;
  /** False: disabled with `reason`. True also for plugins with problems, so nothing cascades from them. */
  readonly enabled: boolean;
  readonly reason?: string;
  readonly config: unknown;
}

/**
 * Resolution: every check that needs no plugin hook to run, collecting every problem instead of
 * stopping at the first. Calls only `config.compile` and `enabled`, which must be pure.
 */
export function resolvePlugins(input: ResolveInput): ResolvedPlan {
  const problems: RrError[] = [];
  const candidates: Candidate[] = [];
  const firstOfName = new Map<string, PluginEntry>();
  const tokenKinds = new Map<string, { multi: boolean; plugin: string }>();

  input.entries.forEach((entry, rank) => {
    const raw: unknown = (entry as Partial<PluginEntry> | undefined)?.plugin;
    const shape = pluginShapeProblems(raw);
    const name = typeof (raw as { name?: unknown } | null)?.name === 'string' ? (raw as { name: string }).name : undefined;
    if (shape.length > 0) {
      const who = messages.entryLabel(name, rank, entry?.packageName);
      for (const problem of shape) problems.push(resolveError(ErrorCodes.PLUGIN_INVALID, messages.pluginInvalid(who, problem), name));
      return;
    }
    const plugin = raw as AnyPlugin;
    const first = firstOfName.get(plugin.name);
    if (first !== undefined) {
      problems.push(resolveError(ErrorCodes.PLUGIN_DUPLICATE, messages.pluginDuplicate(plugin.name, [first.packageName, entry.packageName]), plugin.name));
      return;
    }
    firstOfName.set(plugin.name, entry);

    const validRange = validRangeOf(plugin.kernel) !== null;
    if (!validRange || !satisfies(PLUGIN_API_VERSION, plugin.kernel)) {
      problems.push(resolveError(ErrorCodes.PLUGIN_VERSION_MISMATCH,
        messages.versionMismatch(plugin.name, entry.packageName, plugin.kernel, PLUGIN_API_VERSION, validRange), plugin.name));
    }
    for (const token of allTokens(plugin)) {
      const seen = tokenKinds.get(token.id);
      if (seen === undefined) tokenKinds.set(token.id, { multi: token.multi, plugin: plugin.name });
      else if (seen.multi !== token.multi) {
        const who = messages.entryLabel(plugin.name, rank, entry.packageName);
        problems.push(resolveError(ErrorCodes.PLUGIN_INVALID, messages.pluginInvalid(who, messages.tokenKindConflict(token.id, token.multi, seen.plugin)), plugin.name));
      }
    }
    candidates.push({ rank, entry, plugin, name: plugin.name, ...enablement(plugin, input, problems) });
  });

  const enabled = candidates.filter((c) => c.enabled);
  const disabled = candidates.filter((c) => !c.enabled).map((c) => ({ name: c.name, reason: c.reason ?? '' }));
  const kernelTokenIds = new Set(KERNEL_TOKENS.map((t) => t.id));

  for (const c of enabled) {
    for (const token of c.plugin.provides ?? []) {
      if (kernelTokenIds.has(token.id)) problems.push(resolveError(ErrorCodes.DEP_DUPLICATE, messages.depKernelToken(c.name, token.id), c.name));
    }
  }

  const graph = buildDependencyGraph({ nodes: enabled.map(toNode), external: kernelTokenIds });
  for (const { consumer, token } of graph.missing) {
    const seen = candidates
      .filter((c) => !c.enabled && (c.plugin.provides ?? []).some((t) => t.id === token))
      .map((c) => ({ name: c.name, reason: c.reason ?? '' }));
    problems.push(resolveError(ErrorCodes.DEP_MISSING, messages.depMissing(consumer, token, seen), consumer));
  }
  for (const { token, providers } of graph.duplicates) {
    problems.push(resolveError(ErrorCodes.DEP_DUPLICATE, messages.depDuplicate(token, providers), providers[0]));
  }
  graph.cycles.forEach((cycle, i) => {
    const steps = cycle.steps.map((edges) => edges.map((e) => messages.cycleStep(e.to, e.from, e.token, e.kind)).join(', '));
    const truncated = graph.cyclesTruncated && i === graph.cycles.length - 1 ? graph.cycles.length : undefined;
    problems.push(resolveError(ErrorCodes.DEP_CYCLE, messages.depCycle(cycle.path, steps, truncated), cycle.path[0]));
  });

  const position = new Map(graph.order.map((name, i) => [name, i + 1]));
  const plugins: PluginReport[] = candidates.map((c) => {
    const p = c.plugin;
    const report: PluginReport = {
      name: c.name,
      packageName: c.entry.packageName,
      packageVersion: c.entry.packageVersion,
      source: c.entry.source,
      enabled: c.enabled,
      requires: mapIds(p.deps),
      optional: mapIds(p.optionalDeps),
      provides: (p.provides ?? []).map((t) => t.id),
      contributes: (p.contributes ?? []).map((t) => t.id),
      collects: (p.collects ?? []).map((t) => t.id),
      dependsOn: [...(graph.dependsOn.get(c.name) ?? [])],
    };
    if (p.description !== undefined) report.description = p.description;
    if (c.reason !== undefined) report.reason = c.reason;
    const at = position.get(c.name);
    if (at !== undefined) report.position = at;
    return report;
  });

  const byName = new Map(enabled.map((c) => [c.name, c]));
  const dependents = new Map<string, string[]>(graph.order.map((name) => [name, []]));
  for (const e of graph.edges) {
    const list = dependents.get(e.from);
    if (list !== undefined && !list.includes(e.to)) list.push(e.to);
  }

  return {
    report: {
      plugins,
      order: [...graph.order],
      problems,
      edges: graph.edges.map((e) => ({ from: e.from, to: e.to, token: e.token, kind: e.kind })),
    },
    plugins: graph.order.map((name) => {
      const c = byName.get(name)!;
      return { name, plugin: c.plugin, entry: c.entry, config: c.config };
    }),
    disabled,
    dependents,
  };
}

/** Decides whether a plugin runs, compiling its section on the way. Problems go to `problems`. */
function enablement(plugin: AnyPlugin, input: ResolveInput, problems: RrError[]): { enabled: boolean; reason?: string; config: unknown } {
  const { config: loaded, view } = input;
  let config: unknown;
  if (plugin.config !== undefined) {
    // Most plugins read the top-level section named after them; middleware reads a nested one
    // (`http.static`), as in RoadRunner.
    const sectionPath = plugin.config.section ?? plugin.name;
    const raw = sectionAt(loaded.data, sectionPath);
    // RoadRunner asks viper `IsSet`, which is false for a key holding null: `http:` alone disables http.
    if (raw === undefined || raw === null) {
      if (plugin.config.required === true) {
        problems.push(configError(plugin.name, configProblem(loaded.file, sectionPath, raw, messages.sectionRequired(sectionPath))));
        return { enabled: true, config: undefined };
      }
      return { enabled: false, reason: raw === undefined ? messages.noSection(sectionPath, loaded.file) : messages.emptySection(sectionPath, loaded.file), config: undefined };
    }
    let found: ConfigProblem[];
    try {
      found = input.validateSection?.({ section: sectionPath, schema: plugin.config.schema, value: raw, file: loaded.file }) ?? [];
    } catch (err) {
      // The validator throws only when the plugin's schema itself is broken.
      problems.push(resolveError(errorCode(err) ?? ErrorCodes.PLUGIN_INVALID, messages.schemaUnusable(plugin.name, err), plugin.name, err));
      return { enabled: true, config: undefined };
    }
    if (found.length > 0) {
      for (const problem of found) problems.push(configError(plugin.name, problem));
      return { enabled: true, config: undefined };
    }
    // The section is copied so compile() can neither see nor cause changes to the shared tree.
    const section = input.coerce === undefined ? structuredClone(raw) : input.coerce(plugin.config.schema, structuredClone(raw));
    try {
      config = freezePlain(plugin.config.compile === undefined ? section : plugin.config.compile(section, view));
    } catch (err) {
      problems.push(compileError(plugin.name, sectionPath, err, loaded.file));
      return { enabled: true, config: undefined };
    }
  }
  if (plugin.enabled !== undefined) {
    try {
      const verdict = plugin.enabled(config, view) as { enabled?: unknown; reason?: unknown } | undefined;
      if (verdict?.enabled === false) {
        return { enabled: false, reason: typeof verdict.reason === 'string' && verdict.reason !== '' ? verdict.reason : 'its enabled() check returned false', config };
      }
      if (verdict?.enabled !== true) throw new TypeError(`expected { enabled: boolean }, got ${JSON.stringify(verdict)}`);
    } catch (err) {
      problems.push(resolveError(ErrorCodes.PLUGIN_INVALID, messages.enabledThrew(plugin.name, err), plugin.name, err));
      return { enabled: true, config };
    }
  }
  return { enabled: true, config };
}

function compileError(plugin: string, section: string, err: unknown, file: string | undefined): RrError {
  if (err instanceof ConfigError || (errorCode(err) === ErrorCodes.CONFIG_INVALID && typeof (err as ConfigError).path === 'string')) {
    const e = err as ConfigError;
    const path = e.path === '' ? section : `${section}.${e.path}`;
    return configError(plugin, configProblem(file, path, e.found, e.expected), err);
  }
  return resolveError(ErrorCodes.CONFIG_INVALID, messages.configCompileFailed(plugin, err), plugin, err);
}

function configError(plugin: string, problem: ConfigProblem, cause?: unknown): RrError {
  const err = resolveError(ErrorCodes.CONFIG_INVALID, messages.configInvalid(plugin, problem.message), plugin, cause);
  return Object.assign(err, { path: problem.path, expected: problem.expected, found: problem.found, file: problem.file });
}

function resolveError(code: string, message: string, plugin: string | undefined, cause?: unknown): RrError {
  return new RrError(code, message, { phase: 'resolve', ...(plugin === undefined ? {} : { plugin }), ...(cause === undefined ? {} : { cause }) });
}

function toNode(c: Candidate): GraphNode {
  const p = c.plugin;
  return {
    name: c.name,
    rank: c.rank,
    requires: mapIds(p.deps),
    optional: mapIds(p.optionalDeps),
    provides: (p.provides ?? []).map((t) => t.id),
    contributes: (p.contributes ?? []).map((t) => t.id),
    collects: (p.collects ?? []).map((t) => t.id),
  };
}

function allTokens(p: AnyPlugin): Token<unknown>[] {
  return [...Object.values(p.deps ?? {}), ...Object.values(p.optionalDeps ?? {}), ...(p.provides ?? []), ...(p.contributes ?? []), ...(p.collects ?? [])] as Token<unknown>[];
}

function mapIds(map: Record<string, Token<unknown>> | undefined): string[] {
  return Object.values(map ?? {}).map((t) => t.id);
}

/** The value at a dotted section path of the loaded tree (keys are already lowercase). */
function sectionAt(data: Record<string, unknown>, path: string): unknown {
  let node: unknown = data;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key.toLowerCase()];
  }
  return node;
}

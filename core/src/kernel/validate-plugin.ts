import { PLUGIN_FORMAT_VERSION, isToken } from '@rr/plugin-api';
import type { AnyPlugin, Token } from '@rr/plugin-api';

const PLUGIN_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Checks the shape of something claimed to be a plugin. Plugins built by another copy of
 * @rr/plugin-api (or by hand) pass as long as the fields are right: we check data, never
 * `instanceof`. Returns every problem found, empty when the object is usable.
 */
export function pluginShapeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`expected a plugin object, got ${describe(value)}`];
  const p = value as Partial<Record<keyof AnyPlugin, unknown>>;
  if (p.kind !== 'rr.plugin') return [`its \`kind\` is ${describe(p.kind)}, expected "rr.plugin" (is this a module namespace instead of the plugin export?)`];
  if (p.format !== PLUGIN_FORMAT_VERSION) return [`its object format is ${describe(p.format)}, this kernel reads format ${PLUGIN_FORMAT_VERSION}`];

  const problems: string[] = [];
  if (typeof p.name !== 'string' || !PLUGIN_NAME.test(p.name)) problems.push(`its name ${describe(p.name)} must match ${PLUGIN_NAME}`);
  if (typeof p.kernel !== 'string') problems.push(`\`kernel\` must be a semver range string, got ${describe(p.kernel)}`);
  if (typeof p.init !== 'function') problems.push('`init` must be a function');
  if (p.enabled !== undefined && typeof p.enabled !== 'function') problems.push('`enabled` must be a function');
  if (p.description !== undefined && typeof p.description !== 'string') problems.push('`description` must be a string');
  if (p.startTimeoutMs !== undefined && !(typeof p.startTimeoutMs === 'number' && p.startTimeoutMs > 0 && Number.isFinite(p.startTimeoutMs))) {
    problems.push(`\`startTimeoutMs\` must be a positive number of milliseconds, got ${describe(p.startTimeoutMs)}`);
  }
  if (p.config !== undefined) {
    const c = p.config as { schema?: unknown; compile?: unknown; required?: unknown } | null;
    if (typeof c !== 'object' || c === null) problems.push('`config` must be an object with a `schema`');
    else {
      if (typeof c.schema !== 'object' || c.schema === null) problems.push('`config.schema` must be a JSON Schema object');
      if (c.compile !== undefined && typeof c.compile !== 'function') problems.push('`config.compile` must be a function');
      if (c.required !== undefined && typeof c.required !== 'boolean') problems.push('`config.required` must be a boolean');
    }
  }
  problems.push(...tokenMapProblems('deps', p.deps, false));
  problems.push(...tokenMapProblems('optionalDeps', p.optionalDeps, false));
  problems.push(...tokenListProblems('provides', p.provides, false));
  problems.push(...tokenListProblems('contributes', p.contributes, true));
  problems.push(...tokenListProblems('collects', p.collects, true));
  return problems;
}

function tokenMapProblems(field: string, value: unknown, multi: boolean): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`\`${field}\` must be an object mapping names to tokens`];
  return Object.entries(value).flatMap(([key, token]) => tokenProblem(`${field}.${key}`, token, multi));
}

function tokenListProblems(field: string, value: unknown, multi: boolean): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`\`${field}\` must be an array of tokens`];
  return value.flatMap((token, i) => tokenProblem(`${field}[${i}]`, token, multi));
}

function tokenProblem(where: string, token: unknown, multi: boolean): string[] {
  if (!isToken(token)) return [`\`${where}\` is not a token made by defineToken(), got ${describe(token)}`];
  if ((token as Token<unknown>).multi !== multi) {
    return multi
      ? [`\`${where}\` is "${token.id}", a plain token; contributes/collects take multi tokens (defineToken(id, { multi: true }))`]
      : [`\`${where}\` is "${token.id}", a multi token; use it in contributes/collects instead`];
  }
  return [];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

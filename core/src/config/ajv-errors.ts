import type { ErrorObject } from 'ajv/dist/2019.js';
import { GO_DURATION_PATTERN } from '@rr/plugin-api';
import { configProblem, type ConfigProblem } from './problem.js';
import { applicable, resolveLocalRef, type SchemaNode } from './schema-walk.js';

interface Context {
  section: string;
  file: string | undefined;
  root: unknown;
}

const DURATION_WORDS = 'a Go duration like "30s"';

/**
 * A Go duration pattern: ours exactly, or any hand-written one listing the Go units
 * (`(ns|us|µs|ms|s|m|h)`), so plugins that spelled it differently still get plain words.
 */
export function isDurationPattern(pattern: unknown): boolean {
  return typeof pattern === 'string' && (pattern === GO_DURATION_PATTERN || /ns\|us\|.*ms\|s\|m\|h/.test(pattern));
}

function isNode(v: unknown): v is SchemaNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDurationSchema(s: unknown, root: unknown): boolean {
  if (!isNode(s)) return false;
  return applicable([s], root).some((p) => isDurationPattern(p['pattern'])
    || [p['anyOf'], p['oneOf']].some((alts) => Array.isArray(alts) && alts.some((a) => isDurationSchema(a, root))));
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  array: 'a list',
  object: 'a map',
  null: 'null',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

function literal(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function describeSchema(s: unknown, root: unknown): string {
  if (s === true) return 'any value';
  if (s === false) return 'no value at all';
  if (!isNode(s)) return 'a valid value';
  if (isDurationSchema(s, root)) return DURATION_WORDS;
  if (typeof s['$ref'] === 'string' && Object.keys(s).length === 1) {
    const target = resolveLocalRef(root, s['$ref']);
    return target ? describeSchema(target, root) : `a value matching ${s['$ref']}`;
  }
  if ('const' in s) return `exactly ${JSON.stringify(s['const'])}`;
  if (Array.isArray(s['enum'])) return `one of: ${s['enum'].map(literal).join(', ')}`;
  if (s['type'] !== undefined) return typeWords(s['type']);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = s[key];
    if (Array.isArray(alts)) return unique(alts.map((a) => describeSchema(a, root))).join(' or ');
  }
  if (isNode(s['properties'])) return 'a map';
  if ('items' in s) return 'a list';
  return 'a valid value';
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function pointerToDotted(section: string, pointer: string): string {
  if (pointer === '') return section;
  const keys = pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [section, ...keys].join('.');
}

function bound(kind: string, e: ErrorObject): string {
  const parent = e.parentSchema as SchemaNode | undefined;
  const noun = parent?.['type'] === 'integer' ? 'an integer' : 'a number';
  return `${noun} ${kind} ${String(e.params['limit'])}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

interface Item {
  path: string;
  found: unknown;
  expected: string;
  // Lower wins when several errors land on one path (an enum says more than its type error).
  rank: number;
}

function translateOne(e: ErrorObject, ctx: Context): Item | undefined {
  const path = pointerToDotted(ctx.section, e.instancePath);
  const parent = e.parentSchema as SchemaNode | undefined;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
      return undefined; // its then/else errors say what is wrong
    case 'type':
      if (isDurationSchema(parent, ctx.root)) return { path, found: e.data, expected: DURATION_WORDS, rank: 1 };
      if (parent && Array.isArray(parent['enum'])) return undefined; // the enum error says it better
      return { path, found: e.data, expected: typeWords(parent?.['type'] ?? p['type']), rank: 2 };
    case 'enum':
      return { path, found: e.data, expected: `one of: ${(p['allowedValues'] as unknown[]).map(literal).join(', ')}`, rank: 0 };
    case 'const':
      return { path, found: e.data, expected: `exactly ${JSON.stringify(p['allowedValue'])}`, rank: 0 };
    case 'pattern':
      if (isDurationPattern(p['pattern'])) return { path, found: e.data, expected: DURATION_WORDS, rank: 1 };
      return { path, found: e.data, expected: `a string matching /${String(p['pattern'])}/`, rank: 1 };
    case 'format':
      return { path, found: e.data, expected: `a valid ${String(p['format'])}`, rank: 1 };
    case 'minimum':
      return { path, found: e.data, expected: bound('>=', e), rank: 1 };
    case 'maximum':
      return { path, found: e.data, expected: bound('<=', e), rank: 1 };
    case 'exclusiveMinimum':
      return { path, found: e.data, expected: bound('>', e), rank: 1 };
    case 'exclusiveMaximum':
      return { path, found: e.data, expected: bound('<', e), rank: 1 };
    case 'multipleOf':
      return { path, found: e.data, expected: `a multiple of ${String(p['multipleOf'])}`, rank: 1 };
    case 'minLength':
      return { path, found: e.data, expected: p['limit'] === 1 ? 'a non-empty string' : `a string of at least ${plural(p['limit'] as number, 'character', 'characters')}`, rank: 1 };
    case 'maxLength':
      return { path, found: e.data, expected: `a string of at most ${plural(p['limit'] as number, 'character', 'characters')}`, rank: 1 };
    case 'minItems':
      return { path, found: e.data, expected: p['limit'] === 1 ? 'a non-empty list' : `a list of at least ${plural(p['limit'] as number, 'item', 'items')}`, rank: 1 };
    case 'maxItems':
      return { path, found: e.data, expected: `a list of at most ${plural(p['limit'] as number, 'item', 'items')}`, rank: 1 };
    case 'uniqueItems':
      return { path, found: e.data, expected: `a list without duplicates (items ${String(p['j'])} and ${String(p['i'])} are equal)`, rank: 1 };
    case 'minProperties':
      return { path, found: e.data, expected: `a map with at least ${plural(p['limit'] as number, 'key', 'keys')}`, rank: 1 };
    case 'maxProperties':
      return { path, found: e.data, expected: `a map with at most ${plural(p['limit'] as number, 'key', 'keys')}`, rank: 1 };
    case 'required': {
      const key = String(p['missingProperty']);
      return { path: `${path}.${key}`, found: undefined, expected: 'a value (this key is required)', rank: 0 };
    }
    case 'dependentRequired':
    case 'dependencies': {
      const key = String(p['missingProperty']);
      return { path: `${path}.${key}`, found: undefined, expected: `a value (required when "${String(p['property'])}" is set)`, rank: 0 };
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(p['additionalProperty'] ?? p['unevaluatedProperty']);
      const found = (e.data as Record<string, unknown> | undefined)?.[key];
      return { path: `${path}.${key}`, found, expected: `no such key (allowed: ${allowedKeys(parent)})`, rank: 0 };
    }
    case 'propertyNames':
      return { path: `${path}.${String(p['propertyName'])}`, found: p['propertyName'], expected: 'a valid key name', rank: 1 };
    case 'not':
      return { path, found: e.data, expected: `anything but ${describeSchema(e.schema, ctx.root)}`, rank: 1 };
    case 'anyOf':
      if (isDurationSchema(parent, ctx.root)) return { path, found: e.data, expected: DURATION_WORDS, rank: 1 };
      return { path, found: e.data, expected: unique((e.schema as unknown[]).map((s) => describeSchema(s, ctx.root))).join(' or '), rank: 1 };
    case 'oneOf': {
      if (isDurationSchema(parent, ctx.root) && !Array.isArray(p['passingSchemas'])) return { path, found: e.data, expected: DURATION_WORDS, rank: 1 };
      const alts = unique((e.schema as unknown[]).map((s) => describeSchema(s, ctx.root))).join(' or ');
      const passing = p['passingSchemas'];
      return { path, found: e.data, expected: Array.isArray(passing) ? `exactly one of: ${alts} (it matches several)` : alts, rank: 1 };
    }
    case 'false schema':
      return { path, found: e.data, expected: 'no value here', rank: 0 };
    default:
      return { path, found: e.data, expected: e.message ?? e.keyword, rank: 3 };
  }
}

function allowedKeys(parent: SchemaNode | undefined): string {
  const props = parent && isNode(parent['properties']) ? Object.keys(parent['properties']).sort() : [];
  const patterns = parent && isNode(parent['patternProperties']) ? Object.keys(parent['patternProperties']).map((p) => `keys matching /${p}/`) : [];
  const all = [...props, ...patterns];
  return all.length > 0 ? all.join(', ') : 'none';
}

/**
 * anyOf/oneOf: when exactly one branch has the value's type, its own errors are the useful ones
 * ("found 700, expected an integer <= 500"); otherwise one line listing the alternatives replaces
 * every branch's errors.
 */
function resolveAlternatives(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  const alts = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const alt of alts) {
    if (dropped.has(alt)) continue;
    const prefix = `${alt.schemaPath}/`;
    const branchErrors = errors.filter((e) => e !== alt && e.schemaPath.startsWith(prefix));
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of branchErrors) {
      const branch = e.schemaPath.slice(prefix.length).split('/')[0] as string;
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), ...[e]]);
    }
    const typeMatched = [...byBranch.entries()].filter(([, errs]) =>
      !errs.some((e) => e.instancePath === alt.instancePath && (e.keyword === 'type' || e.keyword === 'false schema')));
    if (alt.keyword === 'anyOf' && typeMatched.length === 1 || alt.keyword === 'oneOf' && typeMatched.length === 1 && !Array.isArray(alt.params['passingSchemas'])) {
      const keep = new Set((typeMatched[0] as [string, ErrorObject[]])[1]);
      dropped.add(alt);
      for (const e of branchErrors) if (!keep.has(e)) dropped.add(e);
    } else {
      for (const e of branchErrors) dropped.add(e);
    }
  }
  return errors.filter((e) => !dropped.has(e));
}

/** Turns ajv errors into one problem per key path, in human words. */
export function translateAjvErrors(errors: ErrorObject[], ctx: Context): ConfigProblem[] {
  const byPath = new Map<string, Item[]>();
  for (const e of resolveAlternatives(errors)) {
    const item = translateOne(e, ctx);
    if (item === undefined) continue;
    byPath.set(item.path, [...(byPath.get(item.path) ?? []), item]);
  }
  const problems: ConfigProblem[] = [];
  for (const [path, items] of byPath) {
    const best = Math.min(...items.map((i) => i.rank));
    const chosen = items.filter((i) => i.rank === best);
    const expected = unique(chosen.map((i) => i.expected)).join('; and ');
    problems.push(configProblem(ctx.file, path, (chosen[0] as Item).found, expected));
  }
  return problems;
}

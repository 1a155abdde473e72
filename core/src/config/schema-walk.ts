/** A JSON Schema node as found in a plugin's schema.json. */
export type SchemaNode = Record<string, unknown>;

const MAX_REF_HOPS = 32;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves a local `$ref` (`#`, `#/$defs/x`, `#/definitions/x`, any JSON pointer into the root). */
export function resolveLocalRef(root: unknown, ref: string): SchemaNode | undefined {
  if (ref === '#') return isNode(root) ? root : undefined;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isNode(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return isNode(node) ? node : undefined;
}

/**
 * Every schema object that applies to one value: the nodes given, their `$ref` targets and their
 * `allOf` members, recursively. (`anyOf`/`oneOf` are alternatives and handled by the caller.)
 */
export function applicable(nodes: readonly unknown[], root: unknown, hops = 0): SchemaNode[] {
  const out: SchemaNode[] = [];
  for (const node of nodes) {
    if (!isNode(node)) continue;
    out.push(node);
    if (typeof node['$ref'] === 'string' && hops < MAX_REF_HOPS) {
      const target = resolveLocalRef(root, node['$ref']);
      if (target) out.push(...applicable([target], root, hops + 1));
    }
    if (Array.isArray(node['allOf'])) out.push(...applicable(node['allOf'], root, hops + 1));
  }
  return out;
}

/** The alternative groups (`anyOf`, `oneOf`) among applicable nodes. */
export function alternatives(parts: readonly SchemaNode[]): unknown[][] {
  const groups: unknown[][] = [];
  for (const p of parts) {
    if (Array.isArray(p['anyOf'])) groups.push(p['anyOf']);
    if (Array.isArray(p['oneOf'])) groups.push(p['oneOf']);
  }
  return groups;
}

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function explicitTypes(node: SchemaNode): JsonType[] | undefined {
  const t = node['type'];
  if (typeof t === 'string') return [t as JsonType];
  if (Array.isArray(t)) return t.filter((x): x is JsonType => typeof x === 'string');
  return undefined;
}

/**
 * The JSON types a value may have under these nodes: declared `type`s (intersected), else the union
 * over `anyOf`/`oneOf` branches, else what `enum`/`const`/`properties`/`items` imply. Undefined when
 * the schema says nothing about types.
 */
export function allowedTypes(parts: readonly SchemaNode[], root: unknown): JsonType[] | undefined {
  let declared: JsonType[] | undefined;
  for (const p of parts) {
    const t = explicitTypes(p);
    if (t === undefined) continue;
    const widened = t.includes('number') ? [...t, 'integer' as const] : t;
    declared = declared === undefined ? widened : declared.filter((x) => widened.includes(x));
  }
  if (declared !== undefined) return declared;

  const groups = alternatives(parts);
  if (groups.length > 0) {
    const union = new Set<JsonType>();
    for (const branch of groups[0] as unknown[]) {
      const bt = allowedTypes(applicable([branch], root), root);
      if (bt === undefined) return undefined;
      for (const t of bt) union.add(t);
    }
    return [...union];
  }

  const inferred = new Set<JsonType>();
  for (const p of parts) {
    if ('const' in p) inferred.add(jsonTypeOf(p['const']));
    if (Array.isArray(p['enum'])) for (const v of p['enum']) inferred.add(jsonTypeOf(v));
    if (isNode(p['properties']) || isNode(p['patternProperties']) || 'additionalProperties' in p || Array.isArray(p['required'])) inferred.add('object');
    if ('items' in p || 'prefixItems' in p) inferred.add('array');
  }
  if (inferred.has('number')) inferred.add('integer');
  return inferred.size > 0 ? [...inferred] : undefined;
}

/** Does the value already have one of these JSON types? */
export function matchesType(value: unknown, types: readonly JsonType[]): boolean {
  const actual = jsonTypeOf(value);
  if (types.includes(actual)) return true;
  return actual === 'integer' && types.includes('number');
}

/** Schemas for one property of an object, from `properties`, `patternProperties`, `additionalProperties`. */
export function propertySchemas(parts: readonly SchemaNode[], key: string): unknown[] {
  const out: unknown[] = [];
  for (const p of parts) {
    const props = p['properties'];
    if (isNode(props) && Object.hasOwn(props, key)) {
      out.push(props[key]);
      continue;
    }
    let matched = false;
    const patterns = p['patternProperties'];
    if (isNode(patterns)) {
      for (const [pattern, schema] of Object.entries(patterns)) {
        if (safeRegExp(pattern)?.test(key)) {
          out.push(schema);
          matched = true;
        }
      }
    }
    if (!matched && isNode(p['additionalProperties'])) out.push(p['additionalProperties']);
  }
  return out;
}

/** Schemas for item `index` of an array, from `items` (object or tuple form), `prefixItems`, `additionalItems`. */
export function itemSchemas(parts: readonly SchemaNode[], index: number): unknown[] {
  const out: unknown[] = [];
  for (const p of parts) {
    const prefix = Array.isArray(p['prefixItems']) ? p['prefixItems'] : Array.isArray(p['items']) ? p['items'] : undefined;
    if (prefix !== undefined) {
      if (index < prefix.length) out.push(prefix[index]);
      else if (isNode(p['additionalItems'])) out.push(p['additionalItems']);
      else if (Array.isArray(p['prefixItems']) && isNode(p['items'])) out.push(p['items']);
    } else if (isNode(p['items'])) {
      out.push(p['items']);
    }
  }
  return out;
}

const regexCache = new Map<string, RegExp | undefined>();

export function safeRegExp(pattern: string): RegExp | undefined {
  if (!regexCache.has(pattern)) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = undefined;
    }
    regexCache.set(pattern, re);
  }
  return regexCache.get(pattern);
}

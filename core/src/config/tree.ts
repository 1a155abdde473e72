/** A YAML/JSON map after parsing. */
export type ConfigMap = Record<string, unknown>;

export function isPlainObject(value: unknown): value is ConfigMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Lowercases every map key, also inside lists, as viper does: RoadRunner keys are
 * case-insensitive, and plugins and schemas see them lowercase.
 */
export function lowercaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowercaseKeys);
  if (!isPlainObject(value)) return value;
  const out: ConfigMap = {};
  for (const [key, item] of Object.entries(value)) out[key.toLowerCase()] = lowercaseKeys(item);
  return out;
}

function segments(path: string): string[] {
  return path.toLowerCase().split('.');
}

/** Walks a dotted path; `found` is false when some segment is missing. */
export function lookup(root: unknown, path: string): { found: boolean; value: unknown } {
  let node = root;
  for (const key of segments(path)) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return { found: false, value: undefined };
    node = node[key];
  }
  return { found: true, value: node };
}

/**
 * Sets a dotted path, creating (or replacing non-map values with) the maps on the way, which is what
 * viper's `Set` does for `-o a.b.c=v`: siblings of `c` survive, so `-o` merges at leaf level.
 */
export function setPath(root: ConfigMap, path: string, value: unknown): void {
  const keys = segments(path);
  const last = keys.pop() as string;
  let node = root;
  for (const key of keys) {
    const next = node[key];
    if (isPlainObject(next)) {
      node = next;
    } else {
      const created: ConfigMap = {};
      node[key] = created;
      node = created;
    }
  }
  node[last] = value;
}

/** A deep copy of plain YAML/JSON data. */
export function cloneData<T>(value: T): T {
  return structuredClone(value);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** Go's `%T` spelling of a decoded YAML value, as RoadRunner prints it in its version error. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

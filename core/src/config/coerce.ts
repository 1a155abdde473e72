import {
  allowedTypes, alternatives, applicable, itemSchemas, matchesType, propertySchemas,
  type JsonType, type SchemaNode,
} from './schema-walk.js';
import { cloneData, isPlainObject } from './tree.js';

const FAIL = Symbol('no conversion');
type Converted = unknown | typeof FAIL;

// When a value fits none of the allowed types, conversions are tried in this order: exact scalar
// readings first, then string (numbers print as text), then lifting into a list.
const ORDER: readonly JsonType[] = ['integer', 'number', 'boolean', 'string', 'array', 'object'];

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
// Go strconv.ParseBool
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * RoadRunner's weak typing (viper + mapstructure `WeaklyTypedInput`), guided by a JSON Schema:
 * turns values into the types the schema asks for, so that `-o` strings and loosely written YAML
 * validate. Returns a new value; the input is not modified.
 *
 * - string → list: split on "," (no trimming; "" → []); any other single value → [value]
 * - "4" → 4 for integer/number; true/false → 1/0
 * - "true"/"false"/"1"/"0"/"t"/"F"… → boolean; "" → false; a number → (number !== 0)
 * - number → string (`4` → "4"), boolean → "1"/"0" where only a string is accepted
 * - null for a key whose schema does not allow null: an object becomes {}, anything else is dropped
 *   (Go leaves the zero value, so the plugin's default applies)
 *
 * A value that already has an allowed type is kept, so a duration schema of
 * `type: [string, integer]` leaves "30s" a string and 30 an integer (nanoseconds). Anything that
 * cannot be converted is left as is for validation to report.
 */
export function coerceBySchema(schema: object, value: unknown): unknown {
  const result = coerceValue(value, [schema], schema);
  return result === FAIL ? undefined : result;
}

function coerceValue(value: unknown, nodes: readonly unknown[], root: unknown): Converted {
  const parts = applicable(nodes, root);
  if (parts.length === 0) return cloneData(value);
  const types = allowedTypes(parts, root);

  let v: unknown = value;
  if (types !== undefined && !matchesType(v, types)) {
    const converted = convert(v, types);
    if (converted === FAIL && v === null) return FAIL;
    if (converted !== FAIL) v = converted;
  }

  const all = [...parts, ...chosenBranches(parts, v, root)];
  if (Array.isArray(v)) {
    return v.map((item: unknown, index) => {
      const schemas = itemSchemas(all, index);
      if (schemas.length === 0) return cloneData(item);
      const c = coerceValue(item, schemas, root);
      return c === FAIL ? item : c;
    });
  }
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) {
      const schemas = propertySchemas(all, key);
      if (schemas.length === 0) {
        out[key] = cloneData(item);
        continue;
      }
      const c = coerceValue(item, schemas, root);
      if (c !== FAIL) out[key] = c;
    }
    return out;
  }
  return v;
}

// For each anyOf/oneOf group, the first branch whose types fit the value: its properties/items guide
// the descent (e.g. `anyOf: [{type: string}, {type: object, properties: …}]`).
function chosenBranches(parts: readonly SchemaNode[], value: unknown, root: unknown): SchemaNode[] {
  const out: SchemaNode[] = [];
  for (const group of alternatives(parts)) {
    for (const branch of group) {
      const branchParts = applicable([branch], root);
      const t = allowedTypes(branchParts, root);
      if (t === undefined || matchesType(value, t)) {
        out.push(...branchParts);
        break;
      }
    }
  }
  return out;
}

function convert(value: unknown, types: readonly JsonType[]): Converted {
  for (const target of ORDER) {
    if (!types.includes(target)) continue;
    const result = convertTo(value, target);
    if (result !== FAIL) return result;
  }
  return FAIL;
}

function convertTo(value: unknown, target: JsonType): Converted {
  switch (target) {
    case 'integer':
      if (typeof value === 'string' && INTEGER.test(value)) return Number(value);
      if (typeof value === 'boolean') return value ? 1 : 0;
      return FAIL;
    case 'number':
      if (typeof value === 'string' && NUMBER.test(value)) return Number(value);
      if (typeof value === 'boolean') return value ? 1 : 0;
      return FAIL;
    case 'boolean':
      if (typeof value === 'string') {
        if (TRUE.has(value)) return true;
        if (FALSE.has(value) || value === '') return false;
        return FAIL;
      }
      if (typeof value === 'number') return value !== 0;
      return FAIL;
    case 'string':
      if (typeof value === 'number') return String(value);
      if (typeof value === 'boolean') return value ? '1' : '0';
      return FAIL;
    case 'array':
      if (typeof value === 'string') return value === '' ? [] : value.split(',');
      if (value === null) return FAIL;
      if (isPlainObject(value) && Object.keys(value).length === 0) return [];
      return [value];
    case 'object':
      if (value === null) return {};
      if (Array.isArray(value) && value.length === 0) return {};
      return FAIL;
    default:
      return FAIL;
  }
}

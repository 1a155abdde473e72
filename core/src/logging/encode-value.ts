import { isoSecondUtc, msToNs } from './clock.js';

/**
 * How field values are written, following zap's encoders:
 * - `spaced`: the console encoder's JSON (`{"a": 1, "b": [1, 2]}`); otherwise compact.
 * - `isoTime`: a Date is written as the development time string; otherwise as integer ns
 *   (what `zap.Time` fields become in JSON).
 * Errors become their message (zap.Error), non-finite numbers the strings zap uses, cycles a marker.
 */
export interface ValueStyle {
  readonly spaced: boolean;
  readonly isoTime: boolean;
}

const MAX_DEPTH = 16;

/**
 * Encodes a fields object into `"k":v` pairs joined by the style's separator, without braces;
 * returns '' when nothing is left (undefined and function values are skipped, like JSON).
 */
export function encodeFields(fields: Record<string, unknown>, style: ValueStyle): string {
  let out = '';
  const sep = style.spaced ? ', ' : ',';
  const colon = style.spaced ? '": ' : '":';
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    out += `${out === '' ? '' : sep}${JSON.stringify(key).slice(0, -1)}${colon}${encodeValue(value, style, 0, undefined)}`;
  }
  return out;
}

export function encodeValue(value: unknown, style: ValueStyle, depth: number, seen: object[] | undefined): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (Number.isFinite(value)) return String(value);
      return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"+Inf"' : '"-Inf"';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : encodeObject(value, style, depth, seen);
    default:
      return 'null';
  }
}

function encodeObject(value: object, style: ValueStyle, depth: number, seen: object[] | undefined): string {
  if (value instanceof Error) return JSON.stringify(errorMessage(value));
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return 'null';
    return style.isoTime ? `"${isoSecondUtc(ms)}"` : msToNs(ms);
  }
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  if (depth >= MAX_DEPTH) return '"[too deep]"';
  const stack = seen ?? [];
  if (stack.includes(value)) return '"[Circular]"';
  stack.push(value);
  try {
    const sep = style.spaced ? ', ' : ',';
    if (Array.isArray(value) || value instanceof Set) {
      let out = '';
      let first = true;
      for (const item of value as Iterable<unknown>) {
        out += (first ? '' : sep) + (item === undefined ? 'null' : encodeValue(item, style, depth + 1, stack));
        first = false;
      }
      return `[${out}]`;
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return encodeValue(toJSON.call(value), style, depth + 1, stack);
    const entries = value instanceof Map ? Object.fromEntries(value) : (value as Record<string, unknown>);
    let out = '';
    const colon = style.spaced ? '": ' : '":';
    for (const key in entries) {
      if (!Object.hasOwn(entries, key)) continue;
      const v = entries[key];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out += `${out === '' ? '' : sep}${JSON.stringify(key).slice(0, -1)}${colon}${encodeValue(v, style, depth + 1, stack)}`;
    }
    return `{${out}}`;
  } finally {
    stack.pop();
  }
}

/**
 * What zap's `error` field holds: the error's text (Go's err.Error()). rr's coded errors keep the
 * code out of the message, so it is put back in front here: a log line is read without `err.code`.
 */
export function errorMessage(err: Error): string {
  const message = err.message === '' ? String(err) : err.message;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' && !message.startsWith(code) ? `${code}: ${message}` : message;
}

/**
 * Deep-freezes plain objects and arrays, leaving everything else (class instances, Maps, Buffers,
 * RegExps) alone: freezing a Buffer throws, and freezing a RegExp breaks `lastIndex` on /g searches.
 * A compiled config is data, so this makes it read-only without breaking the odd helper object.
 */
export function freezePlain<T>(value: T): T {
  if (Array.isArray(value)) {
    if (!Object.isFrozen(value)) {
      Object.freeze(value);
      for (const item of value) freezePlain(item);
    }
  } else if (isPlain(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) freezePlain(item);
  }
  return value;
}

function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

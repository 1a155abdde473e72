import type { FormFields } from './query.js';

/** Deepest name RoadRunner accepts (`a[b][c]…`); longer names are ignored. */
const MAX_LEVEL = 127;

/** A PHP-style form tree: objects for `[key]` branches, string arrays for `name[]`, strings for leaves. */
export type FormTree = { [key: string]: FormNode };
export type FormNode = string | unknown[] | FormTree | object;

/** Thrown for a field that conflicts with another (`a=1&a[b]=2`): the request fails with 400. */
export class FormTreeError extends Error {}

/**
 * Splits a field name into segments as RoadRunner does: spaces are skipped, characters after `[`
 * or `]` start a new segment, and an empty `[]` adds an empty one. `a[b][c]` → a,b,c; `a[]` → a,"";
 * `a[b]c` → a,b,c.
 */
export function fieldSegments(name: string): string[] {
  const keys = [''];
  // 0: inside a segment, 1: just after '[', 2: just after ']'
  let pos = 0;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === ' ') continue;
    if (ch === '[') {
      pos = 1;
    } else if (ch === ']') {
      if (pos === 1) keys.push('');
      pos = 2;
    } else {
      if (pos !== 0) keys.push('');
      keys[keys.length - 1] += ch;
      pos = 0;
    }
  }
  return keys;
}

function isEmpty(node: unknown): boolean {
  if (node === '' || node === undefined) return true;
  if (Array.isArray(node)) return node.length === 0 || node.every((v) => v === '');
  return false;
}

function isBranch(node: unknown): node is FormTree {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && !isLeafObject(node);
}

const LEAF = Symbol('leaf');
function isLeafObject(node: object): boolean {
  return (node as { [LEAF]?: true })[LEAF] === true;
}

/** Marks an object (an upload descriptor) as a leaf, not a branch, for the conflict rules. */
export function leaf<T extends object>(value: T): T {
  Object.defineProperty(value, LEAF, { value: true, enumerable: false });
  return value;
}

function conflict(key: string): FormTreeError {
  return new FormTreeError(`invalid multiple values to key '${key}' in tree`);
}

function assign(tree: FormTree, key: string, value: unknown): void {
  const existing = tree[key];
  if (existing !== undefined) {
    // Empty values never destroy data; an empty leaf gives way to anything.
    if (isEmpty(value) && !isEmpty(existing)) return;
    if (isBranch(existing) && Object.keys(existing).length > 0) throw conflict(key);
  }
  tree[key] = value as FormNode;
}

/**
 * Mounts one field into the tree. `values` are its values in order; `single` picks the leaf value
 * of a one-segment name (the last for form values, the first for files).
 */
export function mount(tree: FormTree, name: string, values: readonly unknown[], single: 'first' | 'last'): void {
  const segs = fieldSegments(name);
  if (segs.length > MAX_LEVEL) return;
  let node = tree;
  for (let i = 0; i < segs.length; i++) {
    const key = segs[i]!;
    const rest = segs.length - i;
    if (rest === 1) {
      const v = values.length === 0 ? [] : single === 'first' ? values[0] : values[values.length - 1];
      assign(node, key, v);
      return;
    }
    if (rest === 2 && segs[i + 1] === '') {
      assign(node, key, [...values]);
      return;
    }
    const existing = node[key];
    if (existing === undefined || (isEmpty(existing) && !isBranch(existing))) {
      const child: FormTree = {};
      node[key] = child;
      node = child;
    } else if (isBranch(existing)) {
      node = existing;
    } else {
      if (values.every((v) => v === '')) return;
      throw conflict(key);
    }
  }
}

/** Builds the tree of form values (`a=1&a=2&b[]=x` → {"a":"2","b":["x"]}). */
export function formTree(fields: FormFields): FormTree {
  const tree: FormTree = {};
  for (const [name, values] of fields) mount(tree, name, values, 'last');
  return tree;
}

import { isPlainObject } from './tree.js';

/** Reads one environment variable; undefined when unset. */
export type EnvLookup = (name: string) => string | undefined;

export function envLookup(env: NodeJS.ProcessEnv): EnvLookup {
  return (name) => env[name];
}

/**
 * Expands `${VAR}`, `${VAR:-default}` and `$VAR` in one string, following Go's `os.Expand` scanner
 * as RoadRunner's config plugin does: a bare name is `[A-Za-z0-9_]+` or one shell special character
 * (`$1`, `$$` … expand to the value of that "variable", normally empty), `${}` and an unclosed `${`
 * are dropped, and a `$` followed by anything else stays. An unset variable expands to "".
 * The default applies when the variable is unset OR empty.
 *
 * Deliberate difference: RoadRunner checks for `:-` anywhere in the whole string, so
 * `${A} x:-y` becomes "" there; here each `${…}` is judged on its own.
 */
export function expandEnv(input: string, lookup: EnvLookup): string {
  if (!input.includes('$')) return input;
  let out = '';
  let copiedUpTo = 0;
  for (let j = 0; j < input.length; j++) {
    if (input[j] !== '$' || j + 1 >= input.length) continue;
    out += input.slice(copiedUpTo, j);
    const { name, width } = shellName(input, j + 1);
    if (name !== '') out += resolve(name, lookup);
    else if (width === 0) out += '$';
    j += width;
    copiedUpTo = j + 1;
  }
  return out + input.slice(copiedUpTo);
}

function resolve(name: string, lookup: EnvLookup): string {
  const sep = name.indexOf(':-');
  if (sep === -1) return lookup(name) ?? '';
  const value = lookup(name.slice(0, sep));
  return value === undefined || value === '' ? name.slice(sep + 2) : value;
}

const SPECIAL = new Set(['*', '#', '$', '@', '!', '?', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
const NAME_CHAR = /[A-Za-z0-9_]/;

// The name after a `$` at `start`, and how many characters it used (Go `getShellName`).
function shellName(s: string, start: number): { name: string; width: number } {
  const first = s[start] as string;
  if (first === '{') {
    const second = s[start + 1];
    if (second !== undefined && SPECIAL.has(second) && s[start + 2] === '}') return { name: second, width: 3 };
    const close = s.indexOf('}', start + 1);
    if (close === -1) return { name: '', width: 1 };
    if (close === start + 1) return { name: '', width: 2 };
    return { name: s.slice(start + 1, close), width: close - start + 1 };
  }
  if (SPECIAL.has(first)) return { name: first, width: 1 };
  let end = start;
  while (end < s.length && NAME_CHAR.test(s[end] as string)) end++;
  return { name: s.slice(start, end), width: end - start };
}

/**
 * Env substitution over a parsed config, as RoadRunner does it: every string leaf of every map, and
 * every string item of a list. Strings inside maps (or lists) nested in a list are NOT expanded
 * (`fileserver.serve[].root` stays literal); numbers and booleans are left alone.
 */
export function expandEnvTree(value: unknown, lookup: EnvLookup): unknown {
  if (typeof value === 'string') return expandEnv(value, lookup);
  if (Array.isArray(value)) return value.map((item: unknown) => (typeof item === 'string' ? expandEnv(item, lookup) : item));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = expandEnvTree(item, lookup);
    return out;
  }
  return value;
}

import { RrError } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';

export interface ParsedOverride {
  key: string;
  value: string;
}

const EXAMPLE = 'use -o key=value, e.g. -o http.pool.num_workers=4';

function overrideError(flag: string, what: string): RrError {
  return new RrError(ErrorCodes.CONFIG_OVERRIDE, `-o ${JSON.stringify(flag)}: ${what}; ${EXAMPLE}`);
}

/**
 * Parses one `-o` value exactly as RoadRunner's config plugin does: split on the first `=`; quote
 * characters and spaces are stripped from the start of the flag; key and value are trimmed; a value
 * starting with a quote has that quote trimmed from both ends and its escaped copies un-escaped
 * (`-o 'a="say \"hi\" now"'` gives `say "hi" now`). The value is NOT env-expanded here.
 * @throws RrError RR_ERR_CONFIG_OVERRIDE with RoadRunner's words (`invalid flag`,
 * `key should not be empty`, `value should not be empty`)
 */
export function parseOverride(flag: string): ParsedOverride {
  if (!flag.includes('=')) throw overrideError(flag, `invalid flag \`${flag}\` (no "=")`);
  const stripped = flag.replace(/^[ "'`]+/, '');
  const eq = stripped.indexOf('=');
  const rawKey = stripped.slice(0, eq);
  const rawValue = stripped.slice(eq + 1);
  if (rawKey === '') throw overrideError(flag, 'key should not be empty');
  const key = rawKey.replace(/^[ \n\t]+|[ \n\t]+$/g, '');
  const trimmedValue = rawValue.replace(/^[ \n\t]+|[ \n\t]+$/g, '');
  // RoadRunner checks the value before trimming and would then crash on a blank one; both are empty here.
  if (trimmedValue === '') throw overrideError(flag, 'value should not be empty');
  if (key === '') throw overrideError(flag, 'key should not be empty');
  return { key, value: unquote(trimmedValue) };
}

function unquote(value: string): string {
  const q = value[0] as string;
  if (q !== '"' && q !== "'" && q !== '`') return value;
  let start = 0;
  let end = value.length;
  while (start < end && value[start] === q) start++;
  while (end > start && value[end - 1] === q) end--;
  return value.slice(start, end).replaceAll(`\\${q}`, q);
}

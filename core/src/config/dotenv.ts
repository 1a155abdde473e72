import { readFile } from 'node:fs/promises';
import { RrError } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';

/**
 * Parses a .env file the way godotenv (used by RoadRunner) reads the common cases:
 * `KEY=value`, an optional `export ` prefix, `#` comments (whole-line, or after whitespace in an
 * unquoted value), 'single quotes' (literal, may span lines), "double quotes" (escapes \n \r \t \" \\
 * \$, may span lines) and `${VAR}` / `$VAR` references in unquoted and double-quoted values,
 * resolved against keys defined earlier in the same file, then the environment.
 *
 * Written here rather than taken from the `dotenv` package because that one neither expands
 * variables nor matches godotenv's rules, and the parser is small.
 *
 * @throws Error with `line` (1-based) when a line is not `KEY=value`.
 */
export function parseDotenv(text: string, env: NodeJS.ProcessEnv = {}): Map<string, string> {
  const vars = new Map<string, string>();
  const src = text.replace(/\r\n?/g, '\n');
  let pos = 0;
  let line = 1;
  const fail = (what: string): never => {
    throw Object.assign(new Error(`line ${line}: ${what}`), { line });
  };

  while (pos < src.length) {
    const eol = src.indexOf('\n', pos);
    const rawLine = src.slice(pos, eol === -1 ? src.length : eol);
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      pos = eol === -1 ? src.length : eol + 1;
      line++;
      continue;
    }

    const lead = rawLine.length - rawLine.trimStart().length;
    let cursor = pos + lead;
    const exportPrefix = /^export[ \t]+/.exec(src.slice(cursor, eol === -1 ? src.length : eol));
    if (exportPrefix) cursor += exportPrefix[0].length;
    const keyMatch = /^([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[=:][ \t]*/.exec(src.slice(cursor));
    if (!keyMatch) fail(`expected KEY=value, found ${JSON.stringify(trimmed)}`);
    const key = (keyMatch as RegExpExecArray)[1] as string;
    cursor += (keyMatch as RegExpExecArray)[0].length;

    const quote = src[cursor];
    let value: string;
    if (quote === '"' || quote === "'") {
      const end = findClosingQuote(src, cursor + 1, quote);
      if (end === -1) fail(`unterminated ${quote} quote in the value of ${key}`);
      const body = src.slice(cursor + 1, end);
      value = quote === "'" ? body : expandDotenv(unescapeDouble(body), vars, env);
      line += countNewlines(src.slice(pos, end));
      const after = src.indexOf('\n', end);
      const rest = src.slice(end + 1, after === -1 ? src.length : after).trim();
      if (rest !== '' && !rest.startsWith('#')) fail(`unexpected ${JSON.stringify(rest)} after the quoted value of ${key}`);
      pos = after === -1 ? src.length : after + 1;
    } else {
      let body = src.slice(cursor, eol === -1 ? src.length : eol);
      const comment = /[ \t]#/.exec(body);
      if (comment) body = body.slice(0, comment.index);
      value = expandDotenv(body.trim(), vars, env);
      pos = eol === -1 ? src.length : eol + 1;
    }
    line++;
    vars.set(key, value);
  }
  return vars;
}

function findClosingQuote(src: string, from: number, quote: string): number {
  for (let i = from; i < src.length; i++) {
    if (quote === '"' && src[i] === '\\') {
      i++;
      continue;
    }
    if (src[i] === quote) return i;
  }
  return -1;
}

function countNewlines(s: string): number {
  let n = 0;
  for (const c of s) if (c === '\n') n++;
  return n;
}

// `\$` is kept as a marker so the expansion step leaves a literal dollar.
const LITERAL_DOLLAR = '\u0000';

function unescapeDouble(body: string): string {
  return body.replace(/\\([nrt"\\$])/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === '$' ? LITERAL_DOLLAR : c);
}

function expandDotenv(value: string, vars: Map<string, string>, env: NodeJS.ProcessEnv): string {
  const expanded = value.replace(/\\\$/g, LITERAL_DOLLAR).replace(/\$\{([A-Za-z0-9_.]+)\}|\$([A-Za-z0-9_]+)/g, (_, braced?: string, bare?: string) => {
    const name = (braced ?? bare) as string;
    return vars.get(name) ?? env[name] ?? '';
  });
  return expanded.replaceAll(LITERAL_DOLLAR, '$');
}

/**
 * Loads a .env file into `env` without overwriting variables that are already set (godotenv `Load`).
 * @param reason - which option named the file, for the error message (`--dotenv`, `DOTENV_PATH`, `envfile`)
 */
export async function loadDotenvFile(path: string, env: NodeJS.ProcessEnv, reason: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : `it cannot be read (${(cause as Error).message})`;
    throw new RrError(ErrorCodes.CONFIG_DOTENV,
      `cannot load the dotenv file ${path} named by ${reason}: ${why}. Fix the path (relative paths start at the working directory) or remove the option.`,
      { cause });
  }
  let vars: Map<string, string>;
  try {
    vars = parseDotenv(text, env);
  } catch (cause) {
    throw new RrError(ErrorCodes.CONFIG_DOTENV,
      `cannot parse the dotenv file ${path} named by ${reason}: ${(cause as Error).message}. Each line must be KEY=value (optionally quoted, optionally prefixed by "export ").`,
      { cause });
  }
  for (const [key, value] of vars) if (env[key] === undefined) env[key] = value;
}

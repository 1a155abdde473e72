/**
 * One thing wrong in the configuration: which file, which key (dotted, from the top of the file,
 * e.g. `http.pool.num_workers`), what was there and what would have been accepted.
 * `message` is the ready-to-print line `<file>: <path>: found <json>, expected <...>`.
 */
export interface ConfigProblem {
  file: string | undefined;
  path: string;
  found: unknown;
  expected: string;
  message: string;
}

const NO_FILE = '(no config file)';
const MAX_FOUND_CHARS = 120;

/** Builds a problem and its message line from the four facts. */
export function configProblem(file: string | undefined, path: string, found: unknown, expected: string): ConfigProblem {
  return { file, path, found, expected, message: `${file ?? NO_FILE}: ${path}: found ${describeFound(found)}, expected ${expected}` };
}

/** JSON for the value seen, shortened; `nothing` when the key is missing. */
export function describeFound(found: unknown): string {
  if (found === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(found) ?? String(found);
  } catch {
    text = String(found);
  }
  return text.length > MAX_FOUND_CHARS ? `${text.slice(0, MAX_FOUND_CHARS - 1)}…` : text;
}

/** One line per problem, in the order given. */
export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.file ?? NO_FILE}: ${p.path}: found ${describeFound(p.found)}, expected ${p.expected}`).join('\n');
}

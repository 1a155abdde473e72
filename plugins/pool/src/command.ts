/**
 * Turns a configured command into argv, RoadRunner style (no shell, no quoting):
 * - a list of two or more items is argv as written;
 * - a string is first split on commas, as viper turns a string into a list (that is how
 *   `-o server.command=php,worker.php`, which Laravel Octane passes, works); a string without commas
 *   (or a one-item list) is split on spaces.
 * A path containing a comma or a space therefore cannot be written as one string; use a list.
 */
export function parseCommand(value: unknown): string[] {
  if (Array.isArray(value)) {
    const items = value.map((v) => String(v));
    if (items.length === 1) return splitSpaces(items[0]!);
    return items;
  }
  if (typeof value !== 'string') return [];
  if (value.includes(',')) {
    const parts = value.split(',');
    if (parts.length >= 2) return parts.map((p) => p.trim()).filter((p) => p !== '');
  }
  return splitSpaces(value);
}

function splitSpaces(s: string): string[] {
  return s.split(' ').filter((p) => p !== '');
}

/** Renders argv for logs and `rr workers` (as RoadRunner shows it: joined with spaces). */
export function formatCommand(argv: readonly string[]): string {
  return argv.join(' ');
}

/**
 * kv timeouts travel as absolute RFC 3339 strings ("" = none). PHP parses replies with
 * `DateTimeImmutable::createFromFormat(RFC3339)`, which rejects fractions of a second, so replies
 * are whole seconds with a numeric offset.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Unix ms, undefined for "", or throws on anything not RFC 3339. */
export function parseTimeout(text: string, key: string): number | undefined {
  if (text === '') return undefined;
  const ms = RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new Error(`kv: key "${key}": timeout "${text}" is not an RFC 3339 time (e.g. 2025-01-01T10:00:00+00:00)`);
  }
  return ms;
}

export function formatTimeout(ms: number | null): string {
  if (ms === null) return '';
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

import type { HttpRequest } from '@rr/http-api';

/**
 * Adds a header value to the request PHP will receive, as Go's `Header.Add`: an existing value is
 * kept and this one follows it. The http plugin builds PHP's header list from `rawHeaders`, while
 * node code reads the parsed `headers` object, so both are updated (the object first, so that its
 * lazily built cache already exists and is not rebuilt from the grown raw list).
 */
export function addRequestHeader(req: HttpRequest, name: string, value: string): void {
  const lower = name.toLowerCase();
  const parsed = req.headers as Record<string, string | string[] | undefined>;
  const existing = parsed[lower];
  parsed[lower] = existing === undefined ? value : `${Array.isArray(existing) ? existing.join(', ') : existing}, ${value}`;
  (req.rawHeaders as string[]).push(name, value);
}

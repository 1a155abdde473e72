/** Error codes of the http plugin (each has an entry in docs/errors.md). */
export const HttpErrorCodes = {
  /** A listener could not bind its address. */
  LISTEN: 'RR_ERR_HTTP_LISTEN',
  /** The worker answered with a status outside 100–599 or a context that cannot be read. */
  BAD_RESPONSE: 'RR_ERR_HTTP_BAD_RESPONSE',
} as const;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** Go's html.EscapeString. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Error codes of the http plugin (each has an entry in docs/errors.md). */
export const HttpErrorCodes = {
  /** A listener could not bind its address. */
  LISTEN: 'RR_ERR_HTTP_LISTEN',
} as const;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** Go's html.EscapeString. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

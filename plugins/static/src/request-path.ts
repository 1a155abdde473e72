/** What the static middleware does with a request path, decided before touching the disk. */
export type PathVerdict =
  /** Answer 403, as RoadRunner does for any path containing `..` (also when percent-encoded). */
  | { readonly kind: 'forbidden' }
  /** Not a static file candidate: hand the request to the next handler (PHP). */
  | { readonly kind: 'pass'; readonly reason: string }
  /** Look for `relative` (slash-separated, no empty, `.` or `..` segments) under the root. */
  | { readonly kind: 'candidate'; readonly relative: string; readonly ext: string };

export interface ExtensionRules {
  readonly forbid: readonly string[];
  readonly allow: readonly string[];
}

// Characters that never occur in a file we agree to serve. An encoded slash or backslash would make
// one URL segment span directories; NUL truncates paths in C APIs.
const ENCODED_SEPARATOR_OR_NUL = /%(?:2f|5c|00)/i;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BACKSLASH = /[\u0000-\u001f\u007f\\]/;

/**
 * Classifies the request target. Only the path is used (query and fragment are dropped), decoded
 * exactly once, so `%252e%252e` stays the literal name `%2e%2e` and cannot climb.
 */
export function classifyPath(url: string, rules: ExtensionRules): PathVerdict {
  const end = url.search(/[?#]/);
  const raw = end === -1 ? url : url.slice(0, end);
  if (!raw.startsWith('/')) return { kind: 'pass', reason: 'not an origin-form path' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { kind: 'pass', reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('..')) return { kind: 'forbidden' };
  if (ENCODED_SEPARATOR_OR_NUL.test(raw)) return { kind: 'pass', reason: 'encoded separator or NUL in the path' };
  if (CONTROL_OR_BACKSLASH.test(decoded)) return { kind: 'pass', reason: 'backslash or control character in the path' };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) return { kind: 'pass', reason: 'no file name' };
  if (hasHiddenSegment(segments)) return { kind: 'pass', reason: 'dotfile' };
  const name = segments[segments.length - 1]!;
  const dot = name.lastIndexOf('.');
  // Files without an extension always go to PHP (RoadRunner): they are usually routes.
  if (dot <= 0) return { kind: 'pass', reason: 'no extension' };
  const ext = name.slice(dot).toLowerCase();
  if (rules.forbid.includes(ext)) return { kind: 'pass', reason: 'forbidden extension' };
  if (rules.allow.length > 0 && !rules.allow.includes(ext)) return { kind: 'pass', reason: 'extension not allowed' };
  return { kind: 'candidate', relative: segments.join('/'), ext };
}

/**
 * Dotfiles and dot-directories (`.env`, `.git/config`, `.htaccess`) are never served; RFC 8615's
 * `/.well-known/` at the top is public by design (ACME challenges, security.txt), so it is exempt.
 */
export function hasHiddenSegment(segments: readonly string[]): boolean {
  return segments.some((s, i) => s.startsWith('.') && !(i === 0 && s === '.well-known'));
}

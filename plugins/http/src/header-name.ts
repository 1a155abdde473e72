const cache = new Map<string, string>();
const MAX_CACHE = 1000;

function isTokenChar(c: number): boolean {
  // RFC 7230 tchar: ALPHA DIGIT ! # $ % & ' * + - . ^ _ ` | ~
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x21 || (c >= 0x23 && c <= 0x27) || c === 0x2a || c === 0x2b || c === 0x2d || c === 0x2e ||
    c === 0x5e || c === 0x5f || c === 0x60 || c === 0x7c || c === 0x7e;
}

function canonicalize(name: string): string {
  for (let i = 0; i < name.length; i++) {
    if (!isTokenChar(name.charCodeAt(i))) return name;
  }
  let out = '';
  let upper = true;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

/**
 * Go's canonical header name (`x-forwarded-for` → `X-Forwarded-For`, `DNT` → `Dnt`); names with a
 * non-token character are left as they are. Memoised: the same few names arrive on every request.
 */
export function canonicalHeaderName(name: string): string {
  let c = cache.get(name);
  if (c === undefined) {
    c = canonicalize(name);
    if (cache.size < MAX_CACHE) cache.set(name, c);
  }
  return c;
}

import { queryUnescape } from './query.js';

function validName(s: string): boolean {
  if (s === '') return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // token characters only (no separators, controls, spaces)
    if (c <= 0x20 || c >= 0x7f || '()<>@,;:\\"/[]?={}'.includes(s[i]!)) return false;
  }
  return true;
}

function validValueByte(c: number): boolean {
  return c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x3b && c !== 0x5c;
}

/**
 * Cookies as RoadRunner sends them: Go's `Request.Cookies()` (split on `;`, trim, drop invalid names
 * or values, strip surrounding quotes), then each value query-unescaped; a value that fails to
 * unescape is dropped, later duplicates win.
 */
export function parseCookies(headers: readonly string[], into: Record<string, string>): void {
  for (const line of headers) {
    for (let part of line.split(';')) {
      part = part.trim();
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      if (!validName(name)) continue;
      let value = eq < 0 ? '' : part.slice(eq + 1);
      if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      let ok = true;
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        // Go allows spaces and commas inside values (its lenient parser), but not quotes.
        if (!validValueByte(c) && c !== 0x20 && c !== 0x2c) { ok = false; break; }
      }
      if (!ok) continue;
      const decoded = queryUnescape(value);
      if (decoded === undefined) continue;
      into[name] = decoded;
    }
  }
}

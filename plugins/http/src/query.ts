function hex(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/** Bytes of a latin1 string with `%XX` escapes decoded (escapes already checked). */
function percentDecode(s: string): Buffer {
  const out = Buffer.allocUnsafe(s.length);
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      out[j++] = (hex(s.charCodeAt(i + 1)) << 4) | hex(s.charCodeAt(i + 2));
      i += 2;
    } else {
      out[j++] = c & 0xff;
    }
  }
  return out.subarray(0, j);
}

const BAD_ESCAPE = /%(?![0-9a-fA-F]{2})/;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte; a malformed escape is an error
 * (undefined here). The input holds one byte per character (latin1, as Node decodes header and
 * our form bodies); the output is those bytes read as UTF-8, invalid sequences becoming U+FFFD as
 * Go's JSON encoder would make them.
 */
export function queryUnescape(s: string): string | undefined {
  const hasPercent = s.includes('%');
  const spaced = s.includes('+') ? s.replaceAll('+', ' ') : s;
  if (hasPercent) {
    if (BAD_ESCAPE.test(s)) return undefined;
    return percentDecode(spaced).toString('utf8');
  }
  return NON_ASCII.test(spaced) ? Buffer.from(spaced, 'latin1').toString('utf8') : spaced;
}

/** A form field list in arrival order: name → values. */
export type FormFields = Map<string, string[]>;

/**
 * Go's `url.ParseQuery` of an urlencoded body. Returns the fields, or an error message for a
 * malformed pair (RoadRunner then fails the request with 400).
 */
export function parseUrlEncoded(body: string, into: FormFields = new Map()): FormFields | string {
  if (body === '') return into;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    if (pair.includes(';')) return 'invalid semicolon separator in query';
    const eq = pair.indexOf('=');
    const k = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const v = eq < 0 ? '' : queryUnescape(pair.slice(eq + 1));
    if (k === undefined || v === undefined) return `invalid URL escape in ${JSON.stringify(pair)}`;
    const list = into.get(k);
    if (list === undefined) into.set(k, [v]);
    else list.push(v);
  }
  return into;
}

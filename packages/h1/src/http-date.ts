let second = -1;
let text = '';

/** The `Date` header value (RFC 9110 IMF-fixdate), formatted at most once per second. */
export function httpDate(now: number = Date.now()): string {
  const s = Math.floor(now / 1000);
  if (s !== second) {
    second = s;
    text = new Date(s * 1000).toUTCString();
  }
  return text;
}

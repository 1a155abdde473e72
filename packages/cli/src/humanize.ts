// The human formats of RoadRunner's `rr workers` table (dustin/go-humanize), reimplemented.

const SI = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** Bytes in SI units: 999 → "999 B", 31457280 → "31 MB", 1500 → "1.5 kB". */
export function humanBytes(bytes: number): string {
  if (!(bytes >= 10)) return `${Math.max(0, Math.trunc(bytes || 0))} B`;
  const e = Math.min(Math.floor(Math.log(bytes) / Math.log(1000)), SI.length - 1);
  // Tenths, rounded as go-humanize does; then Go's %.0f, which rounds an exact half to even.
  const tenths = Math.floor((bytes / 1000 ** e) * 10 + 0.5);
  if (tenths < 100) return `${(tenths / 10).toFixed(1)} ${SI[e]}`;
  const whole = Math.floor(tenths / 10);
  const rest = tenths % 10;
  const rounded = rest > 5 || (rest === 5 && whole % 2 === 1) ? whole + 1 : whole;
  return `${rounded} ${SI[e]}`;
}

/** Thousands separators: 1234567 → "1,234,567". */
export function humanComma(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 12 * MONTH;

/** [upper bound (exclusive), text with %d, unit to divide by] */
const MAGNITUDES: ReadonlyArray<readonly [number, string, number]> = [
  [S, 'now', 0],
  [2 * S, '1 second %s', 0],
  [MIN, '%d seconds %s', S],
  [2 * MIN, '1 minute %s', 0],
  [HOUR, '%d minutes %s', MIN],
  [2 * HOUR, '1 hour %s', 0],
  [DAY, '%d hours %s', HOUR],
  [2 * DAY, '1 day %s', 0],
  [WEEK, '%d days %s', DAY],
  [2 * WEEK, '1 week %s', 0],
  [MONTH, '%d weeks %s', WEEK],
  [2 * MONTH, '1 month %s', 0],
  [YEAR, '%d months %s', MONTH],
  [18 * MONTH, '1 year %s', 0],
  [2 * YEAR, '2 years %s', 0],
  [37 * YEAR, '%d years %s', YEAR],
];

/** Time since `thenMs`: "now", "1 second ago", "5 minutes ago", "3 days ago", "a long while ago". */
export function humanSince(thenMs: number, nowMs: number = Date.now()): string {
  const future = thenMs > nowMs;
  const diff = Math.abs(nowMs - thenMs);
  const label = future ? 'from now' : 'ago';
  for (const [bound, text, unit] of MAGNITUDES) {
    if (diff < bound) {
      if (text === 'now') return 'now';
      return text.replace('%d', String(unit === 0 ? 0 : Math.floor(diff / unit))).replace('%s', label);
    }
  }
  return `a long while ${label}`;
}

import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** `::ffff:1.2.3.4` (what a dual-stack listener reports for IPv4 peers) as plain IPv4, like Go. */
export function normalisePeer(host: string): string {
  return host.startsWith('::ffff:') && isIP(host.slice(7)) === 4 ? host.slice(7) : host;
}

/**
 * The client address announced by a trusted proxy: the first header in `order` that yields a
 * valid IP. `Forwarded` contributes its first `for=` (quotes, brackets and port removed);
 * `X-Forwarded-For` its left-most entry (the original client, as RoadRunner); the others their whole
 * value. Values that are not IP addresses (`unknown`, obfuscated `_hidden`, garbage) are skipped.
 */
export function resolveClientIp(headers: IncomingHttpHeaders, order: readonly string[]): string | undefined {
  for (const name of order) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const candidate = name === 'forwarded' ? forwardedFor(value) : name === 'x-forwarded-for' ? value.split(',')[0] : value;
    const ip = candidate === undefined ? undefined : bareIp(candidate.trim());
    if (ip !== undefined) return ip;
  }
  return undefined;
}

/** The first `for=` parameter of RFC 7239 `Forwarded`. */
function forwardedFor(value: string): string | undefined {
  const m = /(?:^|[;,\s])for\s*=\s*("[^"]*"|[^;,\s]+)/i.exec(value);
  return m?.[1]?.replace(/^"|"$/g, '');
}

/** Strips `[v6]:port`, `v4:port` to the address; undefined when what remains is not an IP. */
function bareIp(value: string): string | undefined {
  let v = value;
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    if (end < 0) return undefined;
    v = v.slice(1, end);
  } else if (/^[\d.]+:\d+$/.test(v)) {
    v = v.slice(0, v.indexOf(':'));
  }
  return isIP(v) === 0 ? undefined : normalisePeer(v);
}

/**
 * The client IP without its port, as RoadRunner sends `remoteAddr`: `127.0.0.1:5000` → `127.0.0.1`,
 * `[::1]:5000` → `::1`; a bare IP (proxy_ip_parser's result) stays as it is.
 */
export function stripPort(addr: string): string {
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    return end < 0 ? '' : addr.slice(1, end);
  }
  const first = addr.indexOf(':');
  if (first < 0) return addr;
  // More than one colon without brackets: a bare IPv6 address.
  return addr.indexOf(':', first + 1) < 0 ? addr.slice(0, first) : addr;
}

/**
 * `ip:port` of a peer, with IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`, what a dual-stack
 * listener reports) written as plain IPv4, as Go reports them.
 */
export function peerAddress(host: string | undefined, port: number | undefined): string {
  let h = host ?? '';
  if (h.startsWith('::ffff:') && h.includes('.')) h = h.slice(7);
  return h.includes(':') ? `[${h}]:${port ?? 0}` : `${h}:${port ?? 0}`;
}

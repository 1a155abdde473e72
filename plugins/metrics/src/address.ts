import { ConfigError } from '@rr/plugin-api';

/** A TCP listen address; `host` undefined means every interface (Go's ":2112"). */
export interface TcpAddress {
  readonly host: string | undefined;
  readonly port: number;
}

const EXPECTED = 'host:port, e.g. "127.0.0.1:2112"';

/** Parses Go's `net.Listen("tcp", …)` form: `host:port`, `[v6]:port` or `:port`. */
export function parseTcpAddress(value: string, path: string): TcpAddress {
  const colon = value.lastIndexOf(':');
  if (colon < 0) throw new ConfigError(path, `${EXPECTED}; the port is missing`, value);
  let host = value.slice(0, colon);
  const portText = value.slice(colon + 1);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new ConfigError(path, `${EXPECTED}; "${portText}" is not a port`, value);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (host.includes(':')) throw new ConfigError(path, `${EXPECTED}; put an IPv6 host in brackets`, value);
  return { host: host === '' ? undefined : host, port: Number(portText) };
}

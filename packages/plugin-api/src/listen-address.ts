import { ConfigError } from './config.js';

/**
 * A TCP listen address as Go's `net.Listen("tcp", …)` takes it. `host` undefined means every
 * interface (`":2112"`).
 * @public
 */
export interface TcpAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * Parses `host:port`, `[v6]:port` or `:port` (RoadRunner's address keys: `http.address`,
 * `metrics.address`, `status.address`, …). Throws a {@link ConfigError} for `path` naming what was
 * expected, with `example` as the model.
 * @public
 */
export function parseTcpAddress(value: string, path: string, example = '127.0.0.1:8080'): TcpAddress {
  const expected = `host:port, e.g. "${example}"`;
  const colon = value.lastIndexOf(':');
  if (colon < 0) throw new ConfigError(path, `${expected}; the port is missing`, value);
  let host = value.slice(0, colon);
  const portText = value.slice(colon + 1);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new ConfigError(path, `${expected}; "${portText}" is not a port`, value);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (host.includes(':')) throw new ConfigError(path, `${expected}; put an IPv6 host in brackets`, value);
  return { host: host === '' ? undefined : host, port: Number(portText) };
}

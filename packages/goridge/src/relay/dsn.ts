import { isAbsolute, resolve } from 'node:path';
import { GoridgeError, GoridgeErrorCodes } from '../errors.js';

/** A parsed relay address (`server.relay`, `rpc.listen`). */
export type RelayDsn =
  | { kind: 'pipes' }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string };

/** A socket address: the `tcp` and `unix` forms of {@link RelayDsn}. */
export type SocketDsn = Exclude<RelayDsn, { kind: 'pipes' }>;

/** RoadRunner's wording, kept so users searching for it find us (roadrunner-server/server). */
const RR_MESSAGE = 'invalid DSN (tcp://:6001, unix://file.sock)';

function dsnError(value: string, why: string): GoridgeError {
  return new GoridgeError(
    GoridgeErrorCodes.DSN,
    `${RR_MESSAGE}: cannot use relay address "${value}": ${why}; write "pipes", "tcp://127.0.0.1:7000" ` +
      'or "unix:///path/to/rr.sock"',
    { expected: 'pipes | tcp://host:port | unix://path', found: value },
  );
}

/**
 * Parses `pipes` (also the empty string), `tcp://host:port` (empty host = all IPv4 interfaces,
 * IPv6 literals in brackets) and `unix://path` (`unix:///abs.sock`, or relative `unix://rr.sock`).
 * @throws GoridgeError RR_ERR_GORIDGE_DSN naming the offending value.
 */
export function parseRelayDsn(value: string): RelayDsn {
  const v = value.trim();
  if (v === '' || v === 'pipes') return { kind: 'pipes' };
  const sep = v.indexOf('://');
  if (sep < 0) throw dsnError(value, 'expected "pipes" or an address with "://"');
  const scheme = v.slice(0, sep);
  const rest = v.slice(sep + 3);
  if (scheme === 'unix') {
    if (rest === '') throw dsnError(value, 'the unix socket path is empty');
    return { kind: 'unix', path: rest };
  }
  if (scheme !== 'tcp') throw dsnError(value, `unsupported scheme "${scheme}" (only tcp and unix)`);
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw dsnError(value, 'an IPv6 host must look like [::1]:port');
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) throw dsnError(value, 'the port is missing');
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) throw dsnError(value, 'put an IPv6 host in brackets, e.g. tcp://[::1]:7000');
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw dsnError(value, `the port "${portText}" is not a number 0..65535`);
  }
  if (host.includes('/')) throw dsnError(value, `"${host}" is not a host name`);
  return { kind: 'tcp', host: host === '' ? '0.0.0.0' : host, port: Number(portText) };
}

/** Parses a DSN that must be a socket (e.g. `rpc.listen`); `pipes` is rejected. */
export function parseSocketDsn(value: string): SocketDsn {
  const dsn = parseRelayDsn(value);
  if (dsn.kind === 'pipes') throw dsnError(value, 'a socket address is required here, not pipes');
  return dsn;
}

/** Formats a DSN back to its string form. */
export function formatRelayDsn(dsn: RelayDsn): string {
  switch (dsn.kind) {
    case 'pipes':
      return 'pipes';
    case 'unix':
      return `unix://${dsn.path}`;
    case 'tcp':
      return `tcp://${dsn.host.includes(':') ? `[${dsn.host}]` : dsn.host}:${dsn.port}`;
  }
}

/**
 * The address a PHP worker (or any client) should dial to reach a server listening on `dsn`:
 * wildcard hosts become loopback (PHP's relay parser rejects `tcp://:7000` and IPv6 literals, spec
 * §2.1) and a relative unix path becomes absolute (PHP resolves it against its own cwd).
 */
export function dialAddress(dsn: SocketDsn): string {
  if (dsn.kind === 'unix') return `unix://${isAbsolute(dsn.path) ? dsn.path : resolve(dsn.path)}`;
  const host = dsn.host === '0.0.0.0' || dsn.host === '' ? '127.0.0.1' : dsn.host === '::' ? '::1' : dsn.host;
  return formatRelayDsn({ kind: 'tcp', host, port: dsn.port });
}

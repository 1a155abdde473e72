import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigView } from '@rr/plugin-api';
import { parseSocketDsn, type SocketDsn } from '@rr/goridge';

/** RoadRunner's code default when the `rpc` section exists without `listen`. */
export const DEFAULT_LISTEN = 'tcp://127.0.0.1:6001';

/** RoadRunner's exact wording (roadrunner-server/rpc config.go), kept for users who search for it. */
export const INVALID_DSN_MESSAGE = 'invalid socket DSN (tcp://:6001, unix://file.sock)';

/** Attributes applied to a unix socket file after it is bound. */
export interface UnixSocketOptions {
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

/** The compiled `rpc` section. */
export interface RpcConfig {
  /** The DSN as configured, default applied: what logs and clients show. */
  readonly listen: string;
  /** The parsed address; a unix path is absolute (resolved against the config directory). */
  readonly address: SocketDsn;
  readonly unixSocket: UnixSocketOptions;
}

const EXPECTED = `a socket DSN such as tcp://127.0.0.1:6001 or unix:///path/to/rr.sock (${INVALID_DSN_MESSAGE})`;

/**
 * Parses an RPC DSN the way RoadRunner does: anything without `://` is the invalid-DSN error; then
 * `tcp://host:port` (empty host = every IPv4 interface) or `unix://path`.
 * @throws ConfigError naming `listen` (the kernel prefixes `rpc.`)
 */
export function parseRpcDsn(listen: string, path = 'listen'): SocketDsn {
  if (!listen.includes('://')) throw new ConfigError(path, EXPECTED, listen);
  try {
    return parseSocketDsn(listen);
  } catch (err) {
    throw new ConfigError(path, `${EXPECTED}; ${(err as Error).message}`, listen);
  }
}

/** Fills RoadRunner's default and checks the address; no socket is touched here. */
export function compileRpcConfig(raw: unknown, view: Pick<ConfigView, 'workDir'>): RpcConfig {
  const r = (raw ?? {}) as { listen?: unknown; unix_socket?: { mode?: string; uid?: number; gid?: number } };
  // RoadRunner's InitDefaults treats an empty `listen` like a missing one.
  const listen = r.listen === undefined || r.listen === null || r.listen === '' ? DEFAULT_LISTEN : String(r.listen);
  let address = parseRpcDsn(listen);
  if (address.kind === 'unix' && !isAbsolute(address.path)) address = { kind: 'unix', path: resolve(view.workDir, address.path) };
  const us = r.unix_socket ?? {};
  const unixSocket: UnixSocketOptions = {
    ...(us.mode !== undefined && us.mode !== '' ? { mode: Number.parseInt(us.mode, 8) } : {}),
    ...(us.uid !== undefined ? { uid: us.uid } : {}),
    ...(us.gid !== undefined ? { gid: us.gid } : {}),
  };
  return { listen, address, unixSocket };
}

/** True when a tcp host only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

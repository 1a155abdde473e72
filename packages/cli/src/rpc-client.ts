import { isAbsolute, resolve } from 'node:path';
import { ErrorCodes, loadConfig } from '@rr/kernel';
import { dialAddress, parseSocketDsn, RpcClient, type SocketDsn } from '@rr/goridge';
import { RrError } from '@rr/plugin-api';
import type { GlobalFlags } from './args.js';

/** RoadRunner's text for a configuration without `rpc` (internal/rpc/client.go), kept verbatim. */
export const RPC_NOT_CONFIGURED = 'rpc service not specified in the configuration. Tip: add\n rpc:\n\r listen: rr_rpc_address';
const INVALID_DSN = 'invalid socket DSN (tcp://:6001, unix://file.sock)';

export interface RpcTarget {
  /** `rpc.listen` as written (after env substitution and `-o`). */
  listen: string;
  /** What the client dials: wildcard hosts become loopback, a relative socket path is made absolute. */
  dial: string;
  /** The config file it came from, for messages. */
  file: string | undefined;
}

/**
 * Finds the server the way RoadRunner's client commands do (rr-surface §3.4): the same config file,
 * `-o`, includes and version check as `serve`, then `rpc.listen` with NO default. No plugin runs.
 * @throws RrError RR_ERR_CLI_RPC_NOT_CONFIGURED, RR_ERR_CLI_RPC_ADDRESS, or a config loading error
 */
export async function findRpcTarget(flags: GlobalFlags): Promise<RpcTarget> {
  const config = await loadConfig({
    configPath: flags.config,
    workDir: flags.workDir,
    overrides: flags.overrides,
    dotenv: flags.dotenv,
    experimental: flags.experimental,
  });
  const rpc = config.data['rpc'];
  if (rpc === undefined || rpc === null) {
    throw new RrError(ErrorCodes.CLI_RPC_NOT_CONFIGURED,
      `${RPC_NOT_CONFIGURED}\n(${config.file ?? 'the configuration'} has no "rpc" section; add one, or pass -o rpc.listen=tcp://127.0.0.1:6001 to reach a server listening there)`);
  }
  const listen = typeof rpc === 'object' ? (rpc as Record<string, unknown>)['listen'] : undefined;
  let dsn: SocketDsn;
  try {
    if (typeof listen !== 'string' || !listen.includes('://')) throw new Error('not a DSN');
    dsn = parseSocketDsn(listen);
  } catch (err) {
    throw new RrError(ErrorCodes.CLI_RPC_ADDRESS,
      `${INVALID_DSN}: rpc.listen is ${listen === undefined ? 'not set' : JSON.stringify(listen)} in ${config.file ?? 'the configuration'}; ` +
        'the client commands use no default, set it to the address rr serve listens on, e.g. tcp://127.0.0.1:6001',
      { cause: err });
  }
  // Relative socket paths are relative to the config directory, where `rr serve` runs.
  if (dsn.kind === 'unix' && !isAbsolute(dsn.path)) dsn = { kind: 'unix', path: resolve(config.dir, dsn.path) };
  return { listen, dial: dialAddress(dsn), file: config.file };
}

/**
 * Connects to the target.
 * @throws RrError RR_ERR_CLI_RPC_CONNECT naming the address and what to check
 */
export async function connectRpc(target: RpcTarget): Promise<RpcClient> {
  try {
    return await RpcClient.connect(target.dial, { timeoutMs: 0, connectTimeoutMs: 5_000 });
  } catch (err) {
    const why = describeConnectFailure(err);
    throw new RrError(ErrorCodes.CLI_RPC_CONNECT,
      `cannot connect to the rr RPC server at ${target.dial} (rpc.listen in ${target.file ?? 'the configuration'}): ${why}; ` +
        'is "rr serve" running with this configuration? Start it, or point -c / -o rpc.listen=... at the server\'s address',
      { cause: err });
  }
}

function describeConnectFailure(err: unknown): string {
  const code = ((err as { cause?: NodeJS.ErrnoException }).cause ?? (err as NodeJS.ErrnoException))?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens there)';
    case 'ENOENT':
      return 'the socket file does not exist';
    case 'EACCES':
      return 'permission denied on the socket file';
    default:
      return (err as Error).message;
  }
}

/** The text of an error for the CLI's own log lines: the server's words for remote errors. */
export function errorText(err: unknown): string {
  const remote = (err as { remoteMessage?: unknown }).remoteMessage;
  if (typeof remote === 'string') return remote;
  return err instanceof Error ? err.message : String(err);
}

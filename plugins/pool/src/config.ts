import { readFileSync } from 'node:fs';
import { ConfigError, parseDuration, type ConfigView } from '@rr/plugin-api';
import { parseRelayDsn, type RelayDsn } from '@rr/goridge';
import { parseCommand } from './command.js';
import { compileEnvMap } from './env.js';

/** A system user workers run as. */
export interface RunAs {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** `server.on_init`, compiled. */
export interface OnInitConfig {
  readonly command: readonly string[];
  readonly execTimeoutMs: number;
  readonly exitOnError: boolean;
  readonly env: Readonly<Record<string, string>>;
  readonly user?: RunAs;
}

/** The `server` section, compiled: defaults filled, env expanded, relay parsed. */
export interface ServerConfig {
  readonly command: readonly string[];
  /** `server.env`: keys upper-cased, values expanded. */
  readonly env: Readonly<Record<string, string>>;
  /** `server.relay` as written (given to workers as RR_RELAY). */
  readonly relay: string;
  readonly relayDsn: RelayDsn;
  readonly user?: RunAs;
  readonly onInit?: OnInitConfig;
}

type Raw = Record<string, unknown>;

/**
 * Compiles the validated `server` section. `processEnv` feeds the second `$VAR` expansion of
 * `env` values (RoadRunner expands them once more at plugin init).
 * @throws ConfigError naming the key
 */
export function compileServerConfig(raw: unknown, _view?: ConfigView, processEnv: NodeJS.ProcessEnv = process.env): ServerConfig {
  const r = (raw ?? {}) as Raw;
  const command = parseCommand(r['command']);
  if (command.length === 0) throw new ConfigError('command', 'a non-empty command, e.g. "php worker.php" (command should not be empty)', r['command']);
  const relay = r['relay'] === undefined || r['relay'] === '' ? 'pipes' : String(r['relay']);
  let relayDsn: RelayDsn;
  try {
    relayDsn = parseRelayDsn(relay);
  } catch (err) {
    throw new ConfigError('relay', 'pipes, tcp://host:port or unix:///path.sock', relay);
  }
  const user = r['user'] === undefined || r['user'] === '' ? undefined : lookupUser(String(r['user']), 'user');
  const onInitRaw = r['on_init'] as Raw | undefined;
  let onInit: OnInitConfig | undefined;
  if (onInitRaw !== undefined && onInitRaw !== null) {
    const onInitCommand = parseCommand(onInitRaw['command']);
    if (onInitCommand.length === 0) throw new ConfigError('on_init.command', 'a non-empty command', onInitRaw['command']);
    const onInitUser = onInitRaw['user'] === undefined || onInitRaw['user'] === '' ? undefined : lookupUser(String(onInitRaw['user']), 'on_init.user');
    onInit = {
      command: onInitCommand,
      execTimeoutMs: onInitRaw['exec_timeout'] === undefined ? 60_000 : parseDuration(onInitRaw['exec_timeout'], 'on_init.exec_timeout') || 60_000,
      exitOnError: onInitRaw['exit_on_error'] === true,
      env: compileEnvMap(onInitRaw['env'], processEnv),
      ...(onInitUser ? { user: onInitUser } : {}),
    };
  }
  return {
    command,
    env: compileEnvMap(r['env'], processEnv),
    relay,
    relayDsn,
    ...(user ? { user } : {}),
    ...(onInit ? { onInit } : {}),
  };
}

/**
 * Finds a user in /etc/passwd (RoadRunner takes the uid and primary gid of `server.user`).
 * Switching user needs root; we check that here so the mistake surfaces as a config error at start
 * instead of as a failed spawn.
 */
export function lookupUser(name: string, path: string, passwd = '/etc/passwd'): RunAs {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    throw new ConfigError(path, `an existing user name (cannot read ${passwd} to look it up)`, name);
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) {
      const uid = Number(f[2]);
      const gid = Number(f[3]);
      const self = process.getuid?.();
      if (self !== undefined && self !== 0 && self !== uid) {
        throw new ConfigError(path, `a user rr may switch to: running workers as "${name}" needs rr to run as root (rr runs as uid ${self}); remove server.user or start rr as root`, name);
      }
      return { name, uid, gid };
    }
  }
  throw new ConfigError(path, `an existing user name (no "${name}" in ${passwd})`, name);
}

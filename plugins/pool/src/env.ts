/**
 * Expands `$VAR` and `${VAR}` from `env` the way Go's `os.Expand` does for `server.env` values (a
 * second pass after the config loader's; no `:-` defaults here). An unset variable becomes "";
 * a `$` not followed by a name stays as it is; an unclosed `${` is dropped.
 */
export function expandVars(input: string, env: NodeJS.ProcessEnv): string {
  if (!input.includes('$')) return input;
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '{') {
      const close = input.indexOf('}', i + 2);
      if (close < 0) {
        i += 2;
        continue;
      }
      out += env[input.slice(i + 2, close)] ?? '';
      i = close + 1;
      continue;
    }
    let end = i + 1;
    while (end < input.length && /[A-Za-z0-9_]/.test(input[end]!)) end++;
    if (end === i + 1) {
      out += '$';
      i++;
      continue;
    }
    out += env[input.slice(i + 1, end)] ?? '';
    i = end;
  }
  return out;
}

/** What goes into every worker's environment, in RoadRunner's order (spec protocol §2.3). */
export interface WorkerEnvParts {
  /** The server's own environment. */
  base: NodeJS.ProcessEnv;
  relay: string;
  /** `RR_RPC`; undefined when rr has no `rpc` section. */
  rpc: string | undefined;
  /** `server.env`, already upper-cased and expanded. */
  serverEnv: Readonly<Record<string, string>>;
  version: string;
  mode: string;
  /** The pool owner's extras; keys are upper-cased here. */
  extra?: Readonly<Record<string, string>> | undefined;
}

/**
 * Builds a worker environment. Later entries win over earlier ones, as with Go's exec (which keeps
 * the last duplicate): process env, RR_RELAY, RR_RPC, server.env, RR_VERSION, RR_MODE, extras.
 */
export function buildWorkerEnv(p: WorkerEnvParts): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.base)) if (v !== undefined) env[k] = v;
  env['RR_RELAY'] = p.relay;
  if (p.rpc !== undefined) env['RR_RPC'] = p.rpc;
  Object.assign(env, p.serverEnv);
  env['RR_VERSION'] = p.version;
  env['RR_MODE'] = p.mode;
  if (p.extra) for (const [k, v] of Object.entries(p.extra)) env[k.toUpperCase()] = String(v);
  return env;
}

/** Upper-cases keys and expands values (server.env, on_init.env). */
export function compileEnvMap(raw: unknown, processEnv: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === null || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    out[k.toUpperCase()] = expandVars(v === null || v === undefined ? '' : String(v), processEnv);
  }
  return out;
}

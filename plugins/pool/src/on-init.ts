import { spawn } from 'node:child_process';
import type { Logger } from '@rr/plugin-api';
import { formatCommand } from './command.js';
import type { OnInitConfig } from './config.js';
import { PoolError, PoolErrorCodes, exitNote, stderrNote } from './errors.js';
import { registerGroup, unregisterGroup } from './process-registry.js';

/**
 * Runs `server.on_init.command` once, before any pool starts. Its STDOUT and STDERR are logged by the
 * `server` logger at info, chunk by chunk. It is killed after `exec_timeout`. A failure stops rr only
 * with `exit_on_error`; otherwise it is logged and rr goes on.
 * @throws PoolError RR_ERR_SERVER_ON_INIT when it fails and `exit_on_error` is set
 */
export async function runOnInit(cfg: OnInitConfig, o: {
  logger: Logger; cwd: string; processEnv: NodeJS.ProcessEnv; launcher: readonly string[]; signal?: AbortSignal;
}): Promise<void> {
  const full = [...o.launcher, ...cfg.command];
  const cmd = formatCommand(cfg.command);
  let tail = '';
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error; timedOut: boolean }>((resolve) => {
    const child = spawn(full[0]!, full.slice(1), {
      cwd: o.cwd,
      env: { ...o.processEnv, ...cfg.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(cfg.user ? { uid: cfg.user.uid, gid: cfg.user.gid } : {}),
    });
    const pid = child.pid;
    if (pid !== undefined) registerGroup(pid);
    let timedOut = false;
    const kill = (): void => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, cfg.execTimeoutMs);
    const onAbort = (): void => kill();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const log = (chunk: string): void => {
      tail = (tail + chunk).slice(-4096);
      o.logger.info(chunk);
    };
    child.stdout?.setEncoding('utf8').on('data', log);
    child.stderr?.setEncoding('utf8').on('data', log);
    const done = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) unregisterGroup(pid);
      resolve({ code, signal, timedOut, ...(error ? { error } : {}) });
    };
    child.once('error', (err) => { if (pid === undefined) done(null, null, err); });
    child.once('close', (code, signal) => done(code, signal));
  });
  if (!outcome.error && outcome.code === 0) {
    o.logger.debug('on_init command finished', { command: cmd });
    return;
  }
  const what = outcome.error
    ? `could not be started (${outcome.error.message})`
    : outcome.timedOut
      ? `did not finish within exec_timeout (${cfg.execTimeoutMs} ms) and was killed`
      : exitNote(outcome.code, outcome.signal);
  const message = `server.on_init command "${cmd}" ${what}; ${stderrNote(tail)}`;
  if (cfg.exitOnError) {
    throw new PoolError(PoolErrorCodes.ON_INIT, `${message}. rr stops because on_init.exit_on_error is set`, { exitCode: outcome.code, signal: outcome.signal, stderr: tail });
  }
  o.logger.error('on_init command failed', { command: cmd, error: message });
}

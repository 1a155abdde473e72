import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildProcess, StdioOptions } from 'node:child_process';

export const ECHO_WORKER = fileURLToPath(new URL('./php-echo-worker.php', import.meta.url));

const started = new Set<ChildProcess>();

/**
 * Starts `php <args>` directly (no shell, so its pid is PHP's own), with pipes on all three fds
 * unless `stdio` says otherwise.
 */
export function spawnPhp(args: string[], env: Record<string, string> = {}, stdio: StdioOptions = ['pipe', 'pipe', 'pipe']): ChildProcess {
  const child = spawn('php', args, { stdio, env: { ...process.env, ...env } });
  started.add(child);
  child.once('exit', () => started.delete(child));
  // Drain STDERR so a chatty worker never blocks on a full pipe.
  child.stderr!.resume();
  return child;
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Kills every php process a test started and still running (call in afterEach). */
export async function killAll(): Promise<void> {
  const running = [...started];
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map(exited));
}

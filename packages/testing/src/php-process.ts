import { spawn } from 'node:child_process';

export interface PhpResult { readonly code: number; readonly stdout: string; readonly stderr: string }

/** Runs `php script args…` with extra env (RR_RPC, …); resolves when it exits, bounded by timeoutMs. */
export function runPhp(script: string, args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<PhpResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('php', [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c; });
    child.stderr.on('data', (c: Buffer) => { stderr += c; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`php ${script} ran over ${timeoutMs} ms\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout, stderr }); });
  });
}

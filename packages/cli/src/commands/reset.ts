import type { ParsedArgs } from '../args.js';
import { connectRpc, errorText, findRpcTarget } from '../rpc-client.js';

/**
 * `rr reset [plugin…]`: asks the server to replace the workers of every resettable plugin (or the
 * named ones), all in parallel. Progress goes to stderr in Go's `log` format unless `-s`; Laravel
 * Octane runs `rr reset -s` and treats ANY stderr output as a failed reload, so a silent success
 * prints nothing at all.
 *
 * Exit code: 0 when every reset succeeded, 1 otherwise. This deliberately differs from RoadRunner,
 * whose CLI checks the wrong error variable and exits 0 even when a reset failed; a reload that
 * did not happen must not look like success to scripts (Octane also sees the error on stderr, which
 * is printed even with -s, as RoadRunner does).
 */
export async function reset(args: ParsedArgs): Promise<number> {
  const silent = args.flags.silent;
  const target = await findRpcTarget(args.flags);
  const client = await connectRpc(target);
  try {
    let plugins = args.positionals.slice(1);
    if (plugins.length === 0) plugins = (await client.callJson<string[] | null>('resetter.List', true, { timeoutMs: 30_000 })) ?? [];
    const results = await Promise.all(plugins.map(async (plugin) => {
      if (!silent) log(`resetting plugin: [${plugin}] `);
      try {
        // No client-side timeout: the pool bounds a reset with its own reset_timeout.
        await client.callJson('resetter.Reset', plugin, { timeoutMs: 0 });
      } catch (err) {
        log(`failed to reset plugin [${plugin}]: ${errorText(err)}`);
        return false;
      }
      if (!silent) log(`plugin reset: [${plugin}]`);
      return true;
    }));
    return results.every(Boolean) ? 0 : 1;
  } finally {
    client.close();
  }
}

/** Go's standard logger: `YYYY/MM/DD HH:MM:SS message` in local time, on stderr. */
function log(message: string): void {
  process.stderr.write(`${goLogTimestamp(new Date())} ${message}\n`);
}

export function goLogTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

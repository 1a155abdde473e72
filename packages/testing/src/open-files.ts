import { readdirSync, readlinkSync } from 'node:fs';

/** Paths under `dir` this process holds open (from /proc/self/fd): a leaked descriptor shows here. */
export function openFilesUnder(dir: string): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) open.push(target);
    } catch {
      // closed between the listing and the readlink
    }
  }
  return open;
}

/**
 * Waits, one event-loop turn at a time and at most `timeoutMs`, for a condition the code under test
 * reaches on its own (a handler finished, a file closed). The error names `what` was awaited.
 */
export async function untilTrue(check: () => boolean, what: () => string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${what()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Process groups of every live worker in this rr process. When rr exits through `process.exit`
 * (a forced second signal, a crash) no `stop` hook runs, so the groups are SIGKILLed from the
 * synchronous 'exit' handler. A SIGKILL of rr itself cannot run any code: that case is covered by
 * the parent-death signal each worker is spawned with (see launcher.ts).
 */
const groups = new Set<number>();
let installed = false;

function killAll(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}

export function registerGroup(pgid: number): void {
  if (!installed) {
    installed = true;
    process.once('exit', killAll);
  }
  groups.add(pgid);
}

export function unregisterGroup(pgid: number): void {
  groups.delete(pgid);
}

/** Test hook: the groups currently tracked. */
export function trackedGroups(): number[] {
  return [...groups];
}

import { accessSync, constants } from 'node:fs';

const CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv'];

let cached: readonly string[] | undefined;

/**
 * The argv prefix that makes a worker die with rr. Node cannot set PR_SET_PDEATHSIG on a child it
 * spawns, so workers are started through util-linux `setpriv --pdeathsig KILL`, which sets it and
 * then exec()s the real command: the pid stays the same (socket relays match workers by pid) and
 * the kernel SIGKILLs the worker the moment rr dies, even by SIGKILL, even in the middle of a
 * request. Without setpriv the prefix is empty: pipe workers still exit on STDIN EOF and socket
 * workers on the socket closing, but a worker busy in a long request outlives rr until it next
 * reads from its relay.
 */
export function deathSignalLauncher(): readonly string[] {
  if (cached !== undefined) return cached;
  for (const path of CANDIDATES) {
    try {
      accessSync(path, constants.X_OK);
      cached = Object.freeze([path, '--pdeathsig', 'KILL', '--']);
      return cached;
    } catch {
      // try the next one
    }
  }
  cached = Object.freeze([]);
  return cached;
}

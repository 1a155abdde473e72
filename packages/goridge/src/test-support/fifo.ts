import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { O_RDONLY, O_WRONLY, O_NONBLOCK } = constants;

/** Both ends of two FIFOs, nothing left on disk: what rr's pool gives a `pipes` worker. */
export interface FifoPair {
  /** The child's STDIN (blocking read end). */
  readonly childStdin: number;
  /** The child's STDOUT (blocking write end). */
  readonly childStdout: number;
  /** Our write end of the child's STDIN. */
  readonly toChild: number;
  /** Our read end of the child's STDOUT. */
  readonly fromChild: number;
}

/** Makes two FIFOs in the order that never blocks (synchronous: tests only). */
export function fifoPair(): FifoPair {
  const dir = mkdtempSync(join(tmpdir(), 'goridge-fifo-'));
  try {
    const a = join(dir, 'in');
    const b = join(dir, 'out');
    execFileSync('mkfifo', ['-m', '600', a, b]);
    const probe = openSync(a, O_RDONLY | O_NONBLOCK);
    const toChild = openSync(a, O_WRONLY | O_NONBLOCK);
    const childStdin = openSync(a, O_RDONLY);
    closeSync(probe);
    const fromChild = openSync(b, O_RDONLY | O_NONBLOCK);
    const childStdout = openSync(b, O_WRONLY);
    return { childStdin, childStdout, toChild, fromChild };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

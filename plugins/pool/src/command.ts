/** The command splitting rule lives in the contract so consumers compile `pool.command` the same way. */
export { parseCommand } from '@rr/pool-api';

/** Renders argv for logs and `rr workers` (as RoadRunner shows it: joined with spaces). */
export function formatCommand(argv: readonly string[]): string {
  return argv.join(' ');
}

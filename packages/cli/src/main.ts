#!/usr/bin/env node
// Entry of the `rr` binary. `--version` and help are answered before anything heavy is imported:
// tools (Laravel Octane) call `rr --version` often and wait for it.
import { HELP } from './help.js';
import { versionLine } from './version.js';

const argv = process.argv.slice(2);

if (argv.includes('-v') || argv.includes('--version')) {
  process.stdout.write(`${versionLine()}\n`);
} else if (argv.length === 0 || argv[0] === 'help' || argv.includes('-h') || argv.includes('--help')) {
  process.stdout.write(HELP);
} else {
  await import('reflect-metadata');
  const { run } = await import('./run.js');
  process.exitCode = await run(argv);
  // Anything still holding the event loop (a stuck socket in a third-party plugin) must not keep a
  // stopped server alive.
  setImmediate(() => process.exit());
}

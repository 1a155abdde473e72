import { errorCode } from '@rr/plugin-api';
import { ErrorCodes } from '@rr/kernel';
import { parseCommandLine } from './args.js';
import { jobs } from './commands/jobs.js';
import { plugins } from './commands/plugins.js';
import { reset } from './commands/reset.js';
import { serve } from './commands/serve.js';
import { workers } from './commands/workers.js';
import { formatError } from './format-error.js';
import { HELP } from './help.js';

const COMMANDS = ['serve', 'plugins', 'reset', 'workers', 'jobs', 'help'] as const;

/** Runs one command line; returns the exit code (2 for usage errors, 1 for any other error). */
export async function run(argv: string[]): Promise<number> {
  try {
    const args = parseCommandLine(argv);
    const command = args.positionals[0];
    switch (command) {
      case 'serve':
        return await serve(args.flags);
      case 'plugins':
        return await plugins(args);
      case 'reset':
        return await reset(args);
      case 'workers':
        return await workers(args);
      case 'jobs':
        return await jobs(args);
      case 'help':
      case undefined:
        process.stdout.write(HELP);
        return 0;
      default:
        process.stderr.write(`${formatError(new Error(`unknown command "${command}" for "rr". Commands: ${COMMANDS.join(', ')}. Run "rr --help" for usage.`))}\n`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(`${formatError(err)}\n`);
    return errorCode(err) === ErrorCodes.CLI_USAGE ? 2 : 1;
  }
}

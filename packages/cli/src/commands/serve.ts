import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createConfigView } from '@rr/kernel';
import type { GlobalFlags } from '../args.js';
import { boot } from '../bootstrap.js';
import { formatError } from '../format-error.js';
import { buildTime, rrVersion } from '../version.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGABRT'] as const;

/**
 * `rr serve`. Exit codes as RoadRunner: 0 after a clean stop, 1 on any error, 1 when a second stop
 * signal forces the exit.
 */
export async function serve(flags: GlobalFlags): Promise<number> {
  const { config, logging, kernel } = await boot(flags);
  const say = (line: string) => { if (!flags.silent) process.stdout.write(`${line}\n`); };
  const graceSeconds = Math.round(createConfigView(config).gracePeriodMs / 1000);

  let stopping: Promise<number> | undefined;
  const stop = (reason: string, exitCode: number): Promise<number> => {
    stopping ??= kernel.stop(reason).then(async (outcome) => {
      for (const err of outcome.errors) process.stderr.write(`${formatError(err)}\n`);
      await logging.flush();
      return outcome.ok ? exitCode : 1;
    });
    return stopping;
  };

  const finished = new Promise<number>((resolveExit) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        say('exit forced');
        void logging.flush().finally(() => process.exit(1));
        return;
      }
      say(`stop signal received, grace timeout is: ${graceSeconds} seconds`);
      void stop(`signal ${signal}`, 0).then(resolveExit);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    kernel.onFatal((err) => {
      process.stderr.write(`${formatError(err)}\n`);
      void stop(`fatal error in plugin "${err.plugin ?? 'unknown'}"`, 1).then(() => resolveExit(1));
    });
  });

  // A server whose plugins hold no sockets (only third-party ones, say) must still wait for a signal.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  void finished.finally(() => clearInterval(keepAlive));

  if (flags.pid) writeFileSync(resolve('.pid'), String(process.pid));
  await kernel.start();
  say(`[INFO] RoadRunner server started; version: ${rrVersion()}, buildtime: ${buildTime()}`);
  return finished;
}

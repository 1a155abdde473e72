/**
 * An error with a stable code. Plugins throw these (or any Error with a `code`) so that users and
 * tools can match on `err.code` instead of message text. The kernel wraps anything escaping a
 * plugin hook once, adding `plugin` and `phase`, and keeps the original in `cause`.
 * @public
 */
export class RrError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options: { cause?: unknown; plugin?: string; phase?: Phase } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RrError';
    if (options.plugin !== undefined) this.plugin = options.plugin;
    if (options.phase !== undefined) this.phase = options.phase;
  }
  plugin?: string;
  phase?: Phase;
}

/** Kernel phases, as reported on errors and in logs. @public */
export type Phase = 'resolve' | 'init' | 'serve' | 'running' | 'drain' | 'stop';

/** Reads `code` from anything thrown, if it has one. @public */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

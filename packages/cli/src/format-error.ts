import { errorCode } from '@rr/plugin-api';

/**
 * Renders an error for the terminal: code and message, then every collected problem (resolution and
 * config errors carry all of them in `errors`) and the cause chain, indented. Bold red on a TTY, as
 * RoadRunner prints its fatal errors.
 */
export function formatError(err: unknown, stream: NodeJS.WriteStream = process.stderr): string {
  const text = render(err, 0).join('\n');
  const colour = stream.isTTY === true && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
  return colour ? `\u001b[1;31m${text}\u001b[0m` : text;
}

function render(err: unknown, depth: number): string[] {
  const pad = '  '.repeat(depth);
  if (!(err instanceof Error)) {
    const message = (err as { message?: unknown } | null)?.message;
    return [`${pad}${typeof message === 'string' ? message : String(err)}`];
  }
  const code = errorCode(err);
  const message = code !== undefined && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
  const lines = [`${pad}${depth === 0 ? 'error: ' : ''}${message}`];
  const nested = (err as { errors?: unknown }).errors;
  if (Array.isArray(nested)) for (const e of nested) lines.push(...render(e, depth + 1));
  if (err.cause !== undefined && depth < 4 && !Array.isArray(nested)) {
    const causeLines = render(err.cause, depth + 1);
    if (!err.message.includes((err.cause as Error)?.message ?? '\u0000')) lines.push(...causeLines);
  }
  return lines;
}

import type { LogFields } from '@rr/plugin-api';
import { isoSecondUtc, nowNs } from './clock.js';
import type { Layout } from './config.js';
import { encodeFields, type ValueStyle } from './encode-value.js';

/** Builds one complete line (line ending included) for a record of the given level rank. */
export type LineFn = (rank: number, msg: string, fields: LogFields | undefined) => string;

const JSON_STYLE: ValueStyle = { spaced: false, isoTime: false };
const CONSOLE_NS_STYLE: ValueStyle = { spaced: true, isoTime: false };
const CONSOLE_ISO_STYLE: ValueStyle = { spaced: true, isoTime: true };

const LOWER = ['debug', 'info', 'warn', 'error'] as const;
const CAPS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
// fatih/color's hi-intensity colours, as RoadRunner's ColoredLevelEncoder/ColoredNameEncoder use.
const LEVEL_COLOUR = [97, 96, 93, 91] as const;
const NAME_COLOUR = 92;
const NAME_WIDTH = 12;

const paint = (code: number, s: string): string => `\x1b[${code}m${s}\x1b[0m`;

/**
 * Returns a factory of per-logger line builders. Everything that depends only on the logger name
 * and level is computed once here, so a record costs one clock read, the message, and its fields.
 */
export function lineFormat(layout: Layout, lineEnding: string, colour: boolean): (name: string) => LineFn {
  switch (layout) {
    case 'json':
      return (name) => {
        const heads = LOWER.map((l) => `{"level":"${l}","ts":`);
        const mid = name === '' ? ',"msg":' : `,"logger":${JSON.stringify(name)},"msg":`;
        const tail = `}${lineEnding}`;
        return (rank, msg, fields) => {
          const f = fields === undefined ? '' : encodeFields(fields, JSON_STYLE);
          return `${heads[rank]}${nowNs()}${mid}${JSON.stringify(msg)}${f === '' ? '' : `,${f}`}${tail}`;
        };
      };
    case 'console-dev':
      return (name) => {
        const levels = CAPS.map((l, i) => (colour ? paint(LEVEL_COLOUR[i]!, l) : l));
        const padded = name.padEnd(NAME_WIDTH, ' ');
        const mid = name === '' ? '\t' : `\t${colour ? paint(NAME_COLOUR, padded) : padded}\t`;
        return (rank, msg, fields) =>
          `${isoSecondUtc(Date.now())}\t${levels[rank]}${mid}${msg}${consoleFields(fields, CONSOLE_ISO_STYLE)}${lineEnding}`;
      };
    case 'console-prod':
      return (name) => {
        const mid = name === '' ? '\t' : `\t${name}\t`;
        return (rank, msg, fields) =>
          `${nowNs()}\t${LOWER[rank]}${mid}${msg}${consoleFields(fields, CONSOLE_NS_STYLE)}${lineEnding}`;
      };
    case 'raw':
      return () => (_rank, msg, fields) => `${msg}${consoleFields(fields, CONSOLE_NS_STYLE)}${lineEnding}`;
  }
}

function consoleFields(fields: LogFields | undefined, style: ValueStyle): string {
  if (fields === undefined) return '';
  const f = encodeFields(fields, style);
  return f === '' ? '' : `\t{${f}}`;
}

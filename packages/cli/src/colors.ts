/** Colour on, the way fatih/color decides: a terminal, no NO_COLOR, TERM not "dumb". */
export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
}

export type Paint = (text: string) => string;

/** Colour functions; identity when colour is off. */
export function palette(enabled: boolean): Record<'red' | 'green' | 'yellow' | 'cyan' | 'hiYellow', Paint> {
  const sgr = (code: string): Paint => (enabled ? (text) => `\u001b[${code}m${text}\u001b[0m` : (text) => text);
  return { red: sgr('31'), green: sgr('32'), yellow: sgr('33'), cyan: sgr('36'), hiYellow: sgr('93') };
}

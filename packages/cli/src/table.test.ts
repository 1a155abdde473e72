import { describe, expect, it } from 'vitest';
import { renderTable, visibleLength } from './table.js';
import { goLogTimestamp } from './commands/reset.js';

describe('renderTable', () => {
  it('draws an ASCII table with upper-case centred headers and left-aligned cells', () => {
    expect(renderTable(['PID', 'Status'], [['12', 'ready'], ['12345', 'working']])).toBe(
      '+-------+---------+\n' +
      '|  PID  | STATUS  |\n' +
      '+-------+---------+\n' +
      '| 12    | ready   |\n' +
      '| 12345 | working |\n' +
      '+-------+---------+\n',
    );
  });

  it('ignores colour codes when measuring', () => {
    expect(visibleLength('\u001b[36mready\u001b[0m')).toBe(5);
    const text = renderTable(['Status'], [['\u001b[36mready\u001b[0m']], [6]);
    expect(text.split('\n')[3]).toBe('| \u001b[36mready\u001b[0m  |');
  });
});

describe('goLogTimestamp', () => {
  it('prints Go log\'s local date and time', () => {
    expect(goLogTimestamp(new Date(2024, 0, 2, 3, 4, 5))).toBe('2024/01/02 03:04:05');
  });
});

import { describe, expect, it } from 'vitest';
import { parseDotenv } from './dotenv.js';

describe('parseDotenv', () => {
  it('reads KEY=value lines, export prefixes, comments and blank lines', () => {
    const vars = parseDotenv([
      '# a comment',
      '',
      'A=1',
      'export B = two words  # trailing comment',
      '  C=with#hash',
      'D=',
      'E=a=b=c',
    ].join('\n'));
    expect(Object.fromEntries(vars)).toEqual({ A: '1', B: 'two words', C: 'with#hash', D: '', E: 'a=b=c' });
  });

  it('handles quotes: single is literal, double has escapes, both may span lines', () => {
    const vars = parseDotenv([
      "S='lit $A \\n # not a comment'",
      'Q="tab\\there \\"quoted\\" \\$A"  # comment',
      'M="line1',
      'line2"',
      'AFTER=ok',
    ].join('\r\n'), {});
    expect(vars.get('S')).toBe('lit $A \\n # not a comment');
    expect(vars.get('Q')).toBe('tab\there "quoted" $A');
    expect(vars.get('M')).toBe('line1\nline2');
    expect(vars.get('AFTER')).toBe('ok');
  });

  it('expands ${VAR} and $VAR from earlier keys, then the environment', () => {
    const vars = parseDotenv('BASE=/srv\nDIR=${BASE}/app\nHOMEISH=$HOME_X/x\nRAW=\'$BASE\'', { HOME_X: '/home/u' });
    expect(vars.get('DIR')).toBe('/srv/app');
    expect(vars.get('HOMEISH')).toBe('/home/u/x');
    expect(vars.get('RAW')).toBe('$BASE');
  });

  it('reports the line of a malformed entry', () => {
    expect(() => parseDotenv('A=1\n\nnot a pair\n')).toThrow(/line 3: expected KEY=value/);
    expect(() => parseDotenv('A="open\nB=2')).toThrow(/unterminated " quote in the value of A/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseOverride } from './override.js';

function overrideError(flag: string): { code?: string; message: string } {
  try {
    parseOverride(flag);
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error(`expected ${flag} to fail`);
}

describe('parseOverride', () => {
  it.each([
    ['http.address=127.0.0.1:8080', 'http.address', '127.0.0.1:8080'],
    ['a.b=c=d', 'a.b', 'c=d'],
    ['  key  =  value  ', 'key', 'value'],
    ['"quoted.key=v', 'quoted.key', 'v'],
    ['`k=v', 'k', 'v'],
    ['k="wrapped value"', 'k', 'wrapped value'],
    ["k='single'", 'k', 'single'],
    ['k=`tick`', 'k', 'tick'],
    ['k="say \\"hi\\" now"', 'k', 'say "hi" now'],
    ['k=a"b', 'k', 'a"b'],
    ['include=a.yaml b.yaml', 'include', 'a.yaml b.yaml'],
  ])('%j → %s = %j', (flag, key, value) => {
    expect(parseOverride(flag)).toEqual({ key, value });
  });

  it.each([
    ['novalue', 'invalid flag'],
    ['=value', 'key should not be empty'],
    [' "=value', 'key should not be empty'],
    ['key=', 'value should not be empty'],
    ['key=   ', 'value should not be empty'],
    [' \t=x', 'key should not be empty'],
  ])('%j fails with "%s" and RR_ERR_CONFIG_OVERRIDE', (flag, words) => {
    const err = overrideError(flag);
    expect(err.code).toBe('RR_ERR_CONFIG_OVERRIDE');
    expect(err.message).toContain(words);
    expect(err.message).toContain(JSON.stringify(flag));
    expect(err.message).toContain('key=value');
  });
});

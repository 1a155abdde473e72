import { describe, expect, it } from 'vitest';
import { expandEnv, expandEnvTree, type EnvLookup } from './env-expand.js';

const env: Record<string, string> = { HOST: '127.0.0.1', PORT: '8080', EMPTY: '', A_1: 'x' };
const lookup: EnvLookup = (name) => env[name];

describe('expandEnv', () => {
  it.each([
    ['${HOST}:${PORT}', '127.0.0.1:8080'],
    ['$HOST:$PORT', '127.0.0.1:8080'],
    ['tcp://$HOST:${PORT}/x', 'tcp://127.0.0.1:8080/x'],
    ['$A_1-y', 'x-y'],
    ['${UNSET}', ''],
    ['$UNSET!', '!'],
    ['a${UNSET}b', 'ab'],
    ['${UNSET:-9000}', '9000'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${PORT:-9000}', '8080'],
    ['${UNSET:-}', ''],
    ['tcp://127.0.0.1:${RPC_PORT:-36643}', 'tcp://127.0.0.1:36643'],
    ['${UNSET:-a:-b}', 'a:-b'],
    ['no dollars', 'no dollars'],
    ['cost: 5$', 'cost: 5$'],
    ['$ alone', '$ alone'],
    ['$1abc', 'abc'],
    ['$$', ''],
    ['${}x', 'x'],
    ['${HOST', 'HOST'],
  ])('%j → %j', (input, out) => {
    expect(expandEnv(input, lookup)).toBe(out);
  });

  it('judges each ${…} on its own (RoadRunner would blank the whole string here)', () => {
    expect(expandEnv('${HOST} a:-b', lookup)).toBe('127.0.0.1 a:-b');
  });
});

describe('expandEnvTree', () => {
  it('expands string leaves and string list items, not maps nested in lists, nor non-strings', () => {
    const input = {
      http: { address: '${HOST}:${PORT}', middleware: ['$HOST', 5, { root: '$HOST' }], max: 10, on: true },
      fileserver: { serve: [{ prefix: '/s', root: '${HOST}' }] },
      nested: [['$HOST']],
    };
    expect(expandEnvTree(input, lookup)).toEqual({
      http: { address: '127.0.0.1:8080', middleware: ['127.0.0.1', 5, { root: '$HOST' }], max: 10, on: true },
      fileserver: { serve: [{ prefix: '/s', root: '${HOST}' }] },
      nested: [['$HOST']],
    });
  });
});

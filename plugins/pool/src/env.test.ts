import { describe, expect, it } from 'vitest';
import { buildWorkerEnv, compileEnvMap, expandVars } from './env.js';

describe('expandVars (Go os.Expand)', () => {
  const env = { HOME: '/home/app', A: 'x', EMPTY: '' };
  it.each([
    ['$HOME/bin', '/home/app/bin'],
    ['${HOME}/bin', '/home/app/bin'],
    ['pre-${A}-post', 'pre-x-post'],
    ['$MISSING|', '|'],
    ['cost: 5$', 'cost: 5$'],
    ['$ alone', '$ alone'],
    ['${A', 'A'], // Go eats the unclosed "${" and keeps the rest
    ['no vars', 'no vars'],
  ])('%j → %j', (input, out) => {
    expect(expandVars(input, env)).toBe(out);
  });
});

describe('compileEnvMap', () => {
  it('upper-cases keys, stringifies and expands values', () => {
    expect(compileEnvMap({ app_env: 'prod', Workers: 4, path: '$BASE/x', nothing: null }, { BASE: '/srv' }))
      .toEqual({ APP_ENV: 'prod', WORKERS: '4', PATH: '/srv/x', NOTHING: '' });
  });
});

describe('buildWorkerEnv', () => {
  it('layers process env, RR_RELAY, RR_RPC, server.env, RR_VERSION, RR_MODE, extras; later wins', () => {
    const env = buildWorkerEnv({
      base: { PATH: '/bin', RR_VERSION: 'from-os', RR_RELAY: 'from-os', KEEP: '1' },
      relay: 'pipes',
      rpc: 'tcp://127.0.0.1:6001',
      serverEnv: { RR_VERSION: 'user', RR_RPC: 'user-rpc', APP: 'a' },
      version: '2026.1.0',
      mode: 'http',
      extra: { app: 'from-plugin', rr_mode: 'overridden' },
    });
    expect(env).toMatchObject({
      PATH: '/bin', KEEP: '1',
      RR_RELAY: 'pipes',
      RR_RPC: 'user-rpc', // server.env comes after RR_RPC
      RR_VERSION: '2026.1.0', // RR_VERSION comes after server.env: a user value loses (as in RoadRunner)
      APP: 'from-plugin',
      RR_MODE: 'overridden',
    });
  });

  it('leaves RR_RPC out when rr has no rpc section', () => {
    const env = buildWorkerEnv({ base: {}, relay: 'pipes', rpc: undefined, serverEnv: {}, version: 'v', mode: 'jobs' });
    expect(env).toEqual({ RR_RELAY: 'pipes', RR_VERSION: 'v', RR_MODE: 'jobs' });
  });
});

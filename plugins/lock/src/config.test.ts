import { describe, expect, it } from 'vitest';
import { compileLockConfig } from './config.js';

describe('lock section', () => {
  it('defaults to memory and reads RoadRunner\'s driver + config form', () => {
    expect(compileLockConfig(undefined)).toEqual({ driver: 'memory' });
    expect(compileLockConfig(null)).toEqual({ driver: 'memory' });
    expect(compileLockConfig({ driver: 'redis', config: { addrs: ['h:1'] } })).toEqual({ driver: 'redis', redis: { addrs: ['h:1'] }, prefix: 'rr:lock:' });
    expect(() => compileLockConfig({ driver: 'etcd' })).toThrow(/lock\.driver/);
    expect(() => compileLockConfig({ driver: 'redis', addrs: ['h:1'] })).toThrow(/lock\.addrs/);
  });
});

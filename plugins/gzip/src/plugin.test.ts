import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '@rr/kernel';
import { gzipPlugin } from './plugin.js';
import { kernelWith } from '@rr/testing';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.stop('test cleanup');
});

describe('gzip plugin', () => {
  it('is always enabled and contributes "gzip", with or without an http section', async () => {
    for (const data of [{}, { http: { address: '127.0.0.1:0' } }]) {
      const made = kernelWith(gzipPlugin, data, tmpdir());
      kernels.push(made.kernel);
      expect(made.kernel.resolve().plugins.find((p) => p.name === 'gzip')?.enabled).toBe(true);
      await made.kernel.start();
      expect(made.collected().map((c) => [c.plugin, c.value.name])).toEqual([['gzip', 'gzip']]);
    }
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kernel } from '@rr/kernel';
import { sendfilePlugin } from './plugin.js';
import { kernelWith, rawGet, startMiddlewareServer, type TestServer } from '@rr/testing';

const open: Array<Kernel | TestServer | string> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) {
    if (typeof o === 'string') rmSync(o, { recursive: true, force: true });
    else await ('port' in o ? o.close() : o.stop('test cleanup'));
  }
});

describe('sendfile plugin', () => {
  it('is always enabled and resolves relative X-Sendfile paths against the config directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-sendfile-kernel-'));
    open.push(dir);
    writeFileSync(join(dir, 'f.txt'), 'from disk');
    const made = kernelWith(sendfilePlugin, {}, dir);
    open.push(made.kernel);
    await made.kernel.start();
    const [only] = made.collected();
    expect(only?.value.name).toBe('sendfile');
    const s = await startMiddlewareServer(only!.value.middleware, async (_req, res) => {
      res.setHeader('X-Sendfile', 'f.txt');
      res.end();
    });
    open.push(s);
    expect((await rawGet(s.port, '/')).body.toString()).toBe('from disk');
  });
});

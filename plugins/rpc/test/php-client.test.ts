import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonMethod } from '@rr/rpc-api';
import { rpcPlugin } from '../src/index.js';
import { cleanupAll, servicePlugin, startKernel, tempDir } from './harness.js';

afterEach(cleanupAll);

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const autoload = fileURLToPath(new URL('../../../packages/php-worker/src/autoload.php', import.meta.url));
const echo = servicePlugin({ name: 'test', methods: { Echo: jsonMethod((arg) => arg) } });

async function php(script: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('php', [join(here, 'php', script), ...args], { timeout: 15_000 });
  return stdout;
}

describe('PHP clients against the rpc plugin', () => {
  it('a raw PHP goridge client gets spec-conformant frames', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const lines = (await php('raw-client.php', rr.address)).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({
      version: 1, flags: 0x08, crcOk: true, options: [1, 9], method: 'test.Echo', body: '{"name":"hits","labels":["a","é"]}',
    });
    expect(lines[1]).toMatchObject({ flags: 0x48, options: [2, 9], method: 'test.Nope', body: "rpc: can't find method test.Nope" });
    expect(lines[2]).toMatchObject({ flags: 0x08, options: [3, 11], body: '"2026.1.0-test"' });
    expect(lines[3]).toMatchObject({ flags: 0x04, options: [4, 10], method: 'rpc.Config' });
    expect(() => JSON.parse(String(lines[3]!['body']))).not.toThrow();
  });

  it.skipIf(!existsSync(autoload))('rr\'s PHP library RPC class calls over TCP and a unix socket', async () => {
    const dir = tempDir();
    const tcp = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const unixPath = join(dir, 'rpc.sock');
    const unix = await startKernel({ rpc: { listen: `unix://${unixPath}` } }, [rpcPlugin, echo], dir);
    for (const address of [tcp.address, unix.address]) {
      const result = JSON.parse(await php('library-client.php', autoload, address)) as Record<string, unknown>;
      expect(result['echo']).toEqual({ a: 1, b: [true, null] });
      expect(result['prefixed']).toBe('via prefix');
      expect(result['error']).toBe(`Error 'rpc: can't find method test.Nope' on ${address}`);
      expect(result['afterError']).toBe('still fine');
      expect(result['version']).toBe('2026.1.0-test');
      expect(() => JSON.parse(String(result['configRaw']))).not.toThrow();
    }
  });
});

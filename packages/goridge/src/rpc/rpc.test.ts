import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Flag, encodeFrame, frame } from '../frame.js';
import { FrameParser } from '../parser.js';
import { RpcClient, RpcRemoteError } from './client.js';
import { RpcCodec, decodeRpcMessage, decodeRpcResponse, encodeRpcError, encodeRpcRequest, encodeRpcResponse, selectCodec } from './codec.js';
import { RpcConnectionHandler } from './connection-handler.js';
import type { Frame } from '../frame.js';
import type { RpcConnectionOptions, RpcRequestHandler } from './connection-handler.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** An RPC server on port 0 using RpcConnectionHandler; records each connection's close reason. */
async function rpcServer(handler: RpcRequestHandler, options: RpcConnectionOptions = {}) {
  const closes: Array<Promise<Error | undefined>> = [];
  const conns: RpcConnectionHandler[] = [];
  const server: Server = createServer((socket) => {
    const conn = new RpcConnectionHandler(socket, handler, options);
    conns.push(conn);
    closes.push(new Promise((resolve) => conn.onClose(resolve)));
    cleanups.push(() => conn.relay.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  const address = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { address, closes, conns };
}

async function client(address: string): Promise<RpcClient> {
  const c = await RpcClient.connect(address);
  cleanups.push(() => c.close());
  return c;
}

/** A raw socket that collects decoded frames, to check the server's exact bytes. */
async function rawClient(address: string) {
  const port = Number(address.split(':').pop());
  const socket: Socket = connect({ host: '127.0.0.1', port });
  cleanups.push(() => socket.destroy());
  await new Promise((r) => socket.once('connect', r));
  const frames: Frame[] = [];
  const raw: Buffer[] = [];
  let wake: (() => void) | undefined;
  const parser = new FrameParser((f) => {
    frames.push(f);
    wake?.();
  });
  socket.on('data', (c: Buffer) => {
    raw.push(c);
    parser.push(c);
  });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  const nextFrame = async (): Promise<Frame> => {
    while (frames.length === 0) await new Promise<void>((r) => (wake = r));
    return frames.shift()!;
  };
  return { socket, raw, nextFrame, closed };
}

describe('RPC codec', () => {
  it('encodes the spec examples E10, E11 and E13 byte for byte', () => {
    expect(encodeRpcRequest(1, 'informer.Workers', '"http"', RpcCodec.JSON).equals(
      hex('15 08 16 00 00 00 09 71 db a7 00 00 01 00 00 00 10 00 00 00 69 6e 66 6f 72 6d 65 72 2e 57 6f 72 6b 65 72 73 22 68 74 74 70 22'),
    )).toBe(true);
    expect(encodeRpcError(7, 'informer.Foo', "rpc: can't find method informer.Foo", RpcCodec.JSON).equals(
      Buffer.concat([hex('15 48 2f 00 00 00 6b 9e 0b 72 00 00 07 00 00 00 0c 00 00 00'), Buffer.from("informer.Foorpc: can't find method informer.Foo")]),
    )).toBe(true);
    expect(encodeRpcResponse(3, 'jobs.Push', new Uint8Array(0), RpcCodec.PROTO).equals(
      hex('15 80 09 00 00 00 93 cd 37 2e 00 00 03 00 00 00 09 00 00 00 6a 6f 62 73 2e 50 75 73 68'),
    )).toBe(true);
  });

  it('decodes requests and error responses', () => {
    const req = decodeRpcMessage(frame({ flags: Flag.CODEC_JSON, options: [1, 16], payload: Buffer.from('informer.Workers"http"') }));
    expect(req).toMatchObject({ seq: 1, method: 'informer.Workers', codec: RpcCodec.JSON });
    expect(req.body.toString()).toBe('"http"');
    const res = decodeRpcResponse(frame({ flags: Flag.CODEC_JSON | Flag.ERROR, options: [7, 12], payload: Buffer.from('informer.Foooops') }));
    expect(res.error).toBe('oops');
    expect(res.codec).toBe(RpcCodec.JSON);
  });

  it.each([
    [[1], 10, 'expected exactly 2 options'],
    [[1, 2, 3], 10, 'expected exactly 2 options'],
    [[1, 11], 10, 'method length 11 exceeds the payload length 10'],
  ])('rejects options %j with RPC_FRAME', (options, size, why) => {
    expect(() => decodeRpcMessage(frame({ options, payload: Buffer.alloc(size) }))).toThrow(
      expect.objectContaining({ code: 'RR_ERR_GORIDGE_RPC_FRAME', message: expect.stringContaining(why) }),
    );
  });

  it.each([
    [0x80 | 0x20, RpcCodec.PROTO],
    [0x08 | 0x04, RpcCodec.JSON],
    [0x04 | 0x10, RpcCodec.RAW],
    [0x10 | 0x20, RpcCodec.MSGPACK],
    [0x20, RpcCodec.GOB],
    [0x00, RpcCodec.GOB],
    [0x01, RpcCodec.GOB],
  ])('selectCodec(0x%s) follows the PROTO, JSON, RAW, MSGPACK, GOB priority', (flags, codec) => {
    expect(selectCodec(flags)).toBe(codec);
  });
});

describe('RpcClient + RpcConnectionHandler over TCP', () => {
  it('round-trips JSON, PROTO and RAW calls with the codec echoed', async () => {
    const { address } = await rpcServer((req) => Buffer.concat([Buffer.from(`${req.method}|`), req.body]));
    const c = await client(address);
    for (const codec of [RpcCodec.JSON, RpcCodec.PROTO, RpcCodec.RAW]) {
      const res = await c.call('svc.Echo', Buffer.from([1, 2, 3]), codec);
      expect(res.codec).toBe(codec);
      expect(res.flags).toBe(codec);
      expect(res.method).toBe('svc.Echo');
      expect(res.body.equals(Buffer.concat([Buffer.from('svc.Echo|'), Buffer.from([1, 2, 3])]))).toBe(true);
    }
  });

  it('callJson encodes the argument, sends no body for undefined, and parses the result', async () => {
    const seen: string[] = [];
    const { address } = await rpcServer((req) => {
      seen.push(req.body.toString());
      return JSON.stringify({ workers: [], arg: req.body.length === 0 ? null : JSON.parse(req.body.toString()) });
    });
    const c = await client(address);
    expect(await c.callJson('informer.Workers', 'http')).toEqual({ workers: [], arg: 'http' });
    expect(await c.callJson('informer.List')).toEqual({ workers: [], arg: null });
    expect(seen).toEqual(['"http"', '']);
  });

  it('matches concurrent calls answered out of order by seq', async () => {
    const gates = new Map<string, () => void>();
    let allArrived!: () => void;
    const ready = new Promise<void>((r) => (allArrived = r));
    const { address, conns } = await rpcServer(async (req) => {
      const name = req.body.toString();
      const gate = new Promise<void>((r) => gates.set(name, r));
      if (gates.size === 50) allArrived();
      await gate;
      return `done:${name}`;
    });
    const c = await client(address);
    const names = Array.from({ length: 50 }, (_, i) => `call${i}`);
    const calls = names.map((n) => c.call('svc.Slow', n, RpcCodec.RAW).then((r) => r.body.toString()));
    await ready;
    expect(c.inFlight).toBe(50);
    expect(conns[0]!.inFlight).toBe(50);
    for (const n of [...names].reverse()) gates.get(n)!();
    expect(await Promise.all(calls)).toEqual(names.map((n) => `done:${n}`));
  });

  it('turns thrown errors and rejections into error frames (RpcRemoteError)', async () => {
    const { address } = await rpcServer(async (req) => {
      if (req.method === 'sync.Fail') throw new Error("rpc: can't find method sync.Fail");
      throw new Error('no such storage: foo');
    });
    const c = await client(address);
    const a = await c.call('sync.Fail').catch((e: unknown) => e);
    expect(a).toBeInstanceOf(RpcRemoteError);
    expect(a).toMatchObject({ code: 'RR_ERR_GORIDGE_RPC_REMOTE', remoteMessage: "rpc: can't find method sync.Fail" });
    const b = (await c.call('kv.Has', '', RpcCodec.PROTO).catch((e: unknown) => e)) as RpcRemoteError;
    expect(b.remoteMessage).toBe('no such storage: foo');
    // The connection stays usable after error responses.
    await expect(c.call('kv.Has')).rejects.toBeInstanceOf(RpcRemoteError);
  });

  it('answers the spec E10 request with the exact E11 bytes on error', async () => {
    const { address } = await rpcServer((req) => {
      throw new Error(`rpc: can't find method ${req.method}`);
    });
    const raw = await rawClient(address);
    const e10 = encodeRpcRequest(7, 'informer.Foo', '"http"', RpcCodec.JSON);
    raw.socket.write(e10);
    const f = await raw.nextFrame();
    expect(encodeFrame(f).equals(Buffer.concat([hex('15 48 2f 00 00 00 6b 9e 0b 72 00 00 07 00 00 00 0c 00 00 00'), Buffer.from("informer.Foorpc: can't find method informer.Foo")]))).toBe(true);
  });

  it.each([
    ['a frame with one option', encodeFrame({ flags: Flag.CODEC_JSON, options: [1], payload: Buffer.from('x.Y') }), 'RR_ERR_GORIDGE_RPC_FRAME'],
    ['a method longer than the payload', encodeFrame({ flags: Flag.CODEC_JSON, options: [1, 99], payload: Buffer.from('x.Y') }), 'RR_ERR_GORIDGE_RPC_FRAME'],
    ['an unsupported codec (gob)', encodeRpcRequest(1, 'x.Y', '', RpcCodec.GOB), 'RR_ERR_GORIDGE_RPC_FRAME'],
    ['a bad CRC', Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'RR_ERR_GORIDGE_CRC'],
  ])('closes the connection without a reply on %s', async (_n, bytes, code) => {
    let called = 0;
    const { address, closes } = await rpcServer(() => {
      called++;
      return '';
    }, { garbageWaitMs: 0 });
    const raw = await rawClient(address);
    raw.socket.write(bytes);
    await raw.closed;
    expect(raw.raw).toHaveLength(0);
    expect(called).toBe(0);
    expect(((await closes[0]) as { code?: string }).code).toBe(code);
  });

  it('accepts msgpack only when the dispatcher says it can decode it', async () => {
    const { address } = await rpcServer((req) => req.body, { codecs: [RpcCodec.MSGPACK] });
    const c = await client(address);
    expect((await c.call('m.P', Buffer.from([0x91, 0x01]), RpcCodec.MSGPACK)).codec).toBe(RpcCodec.MSGPACK);
  });

  it('rejects calls in flight with CLOSED when the server drops the connection', async () => {
    let arrived!: () => void;
    const hanging = new Promise<void>((r) => (arrived = r));
    const { address, conns } = await rpcServer(() => {
      arrived();
      return new Promise(() => {});
    });
    const c = await client(address);
    const pending = c.call('svc.Hang').catch((e: unknown) => e);
    await hanging;
    conns[0]!.relay.destroy();
    expect(await pending).toMatchObject({ code: 'RR_ERR_GORIDGE_CLOSED' });
    await expect(c.call('svc.After')).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_CLOSED' });
  });

  it('times out a call with RPC_TIMEOUT and keeps the connection usable', async () => {
    const { address } = await rpcServer((req) => (req.method === 'svc.Hang' ? new Promise(() => {}) : 'ok'));
    const c = await client(address);
    await expect(c.call('svc.Hang', '', RpcCodec.RAW, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_RPC_TIMEOUT' });
    expect(c.inFlight).toBe(0);
    expect((await c.call('svc.Fast', '', RpcCodec.RAW)).body.toString()).toBe('ok');
  });

  it('drops a response that arrives after its call timed out instead of closing the connection', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const { address } = await rpcServer(async (req) => {
      if (req.method === 'svc.Late') await released;
      return req.method;
    });
    const c = await client(address);
    await expect(c.call('svc.Late', '', RpcCodec.RAW, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_RPC_TIMEOUT' });
    release();
    // The late answer goes out before this one (same connection, in order) and must be ignored.
    expect((await c.call('svc.Next', '', RpcCodec.RAW)).body.toString()).toBe('svc.Next');
    expect(c.closed).toBe(false);
  });

  it('connect() explains a refused connection and a bad address', async () => {
    const { address } = await rpcServer(() => '');
    cleanups.splice(0).forEach((f) => f());
    await expect(RpcClient.connect(address)).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_IO', message: expect.stringContaining('ECONNREFUSED') });
    await expect(RpcClient.connect('pipes')).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_DSN' });
  });
});

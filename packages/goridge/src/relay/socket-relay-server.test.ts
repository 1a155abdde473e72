import { spawnSync } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STOP_FRAME_BYTES, pidReplyFrame } from '../control.js';
import { Flag, encodeFrame } from '../frame.js';
import { FrameParser } from '../parser.js';
import { ECHO_WORKER, exited, killAll, spawnPhp } from '../test-support/php.js';
import { SocketRelayServer } from './socket-relay-server.js';
import type { Socket } from 'node:net';
import type { Frame } from '../frame.js';
import type { SocketRelayServerOptions } from './socket-relay-server.js';

let dir: string;
const servers: SocketRelayServer[] = [];
const sockets: Socket[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'goridge-'));
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

async function listen(address: string, options: SocketRelayServerOptions = {}): Promise<SocketRelayServer> {
  const server = await SocketRelayServer.listen(address, options);
  servers.push(server);
  return server;
}

/** A fake worker in Node: connects, reads the pid request, answers with `pid`. Resolves with the request. */
function fakeWorker(server: SocketRelayServer, reply: (socket: Socket, request: Frame) => void): Promise<{ socket: Socket; request: Frame }> {
  const dsn = server.dsn;
  const socket = dsn.kind === 'tcp' ? connect({ host: '127.0.0.1', port: dsn.port }) : connect({ path: dsn.path });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    const parser = new FrameParser((f) => {
      reply(socket, f);
      resolve({ socket, request: f });
    });
    socket.on('data', (c: Buffer) => parser.push(c));
    socket.on('error', reject);
  });
}

const closedSocket = (s: Socket): Promise<void> => new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));

async function echoOnce(relay: Awaited<ReturnType<SocketRelayServer['waitForPid']>>, text: string): Promise<string> {
  const got = new Promise<string>((resolve) => relay.setFrameHandler((f) => resolve(f.payload.toString())));
  relay.send({ flags: Flag.CODEC_RAW, options: [0], payload: Buffer.from(text) });
  return got;
}

describe('SocketRelayServer with real PHP workers', () => {
  it.each(['tcp', 'unix'])('hands a %s worker to whoever waits for its pid, then echoes and stops', async (kind) => {
    const server = await listen(kind === 'tcp' ? 'tcp://127.0.0.1:0' : `unix://${join(dir, 'rr.sock')}`);
    if (kind === 'tcp') expect(server.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const child = spawnPhp([ECHO_WORKER], { RR_RELAY: server.address });
    const relay = await server.waitForPid(child.pid!, 10_000);
    expect(await echoOnce(relay, 'hello over ' + kind)).toBe('hello over ' + kind);
    relay.sendEncoded(STOP_FRAME_BYTES);
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  });

  it('serves two workers concurrently, each to its own waiter', async () => {
    const server = await listen('tcp://127.0.0.1:0');
    const a = spawnPhp([ECHO_WORKER], { RR_RELAY: server.address });
    const b = spawnPhp([ECHO_WORKER], { RR_RELAY: server.address });
    const [ra, rb] = await Promise.all([server.waitForPid(a.pid!, 10_000), server.waitForPid(b.pid!, 10_000)]);
    expect(ra).not.toBe(rb);
    expect(await Promise.all([echoOnce(ra, 'a'), echoOnce(rb, 'b')])).toEqual(['a', 'b']);
  });
});

describe('SocketRelayServer handshake and pid matching (fake workers)', () => {
  it('sends F1 with the server pid on accept (spec E1 shape)', async () => {
    const server = await listen('tcp://127.0.0.1:0', { serverPid: 12345 });
    const { request } = await fakeWorker(server, (s) => s.write(encodeFrame(pidReplyFrame(4242))));
    expect(request.flags).toBe(Flag.CONTROL | Flag.CODEC_JSON);
    expect(request.payload.toString()).toBe('{"pid":12345}');
    await server.waitForPid(4242, 5_000);
  });

  it('files a connection that arrives before waitForPid and hands it over with queued frames', async () => {
    const events = new EventEmitter();
    const server = await listen('tcp://127.0.0.1:0', { onHandshake: (pid) => events.emit('filed', pid) });
    const filed = once(events, 'filed');
    await fakeWorker(server, (s) =>
      s.write(Buffer.concat([encodeFrame(pidReplyFrame(777)), encodeFrame({ options: [0], payload: Buffer.from('early') })])),
    );
    expect(await filed).toEqual([777]);
    expect(server.unclaimedCount).toBe(1);
    const relay = await server.waitForPid(777, 5_000);
    expect(server.unclaimedCount).toBe(0);
    const first = await new Promise<string>((resolve) => relay.setFrameHandler((f) => resolve(f.payload.toString())));
    expect(first).toBe('early');
  });

  it('rejects a waitForPid that nobody answers with PID_TIMEOUT naming the pids it saw', async () => {
    const events = new EventEmitter();
    const server = await listen('tcp://127.0.0.1:0', { onHandshake: (pid) => events.emit('filed', pid) });
    const filed = once(events, 'filed');
    await fakeWorker(server, (s) => s.write(encodeFrame(pidReplyFrame(31337))));
    await filed;
    const err = (await server.waitForPid(1, 50).catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('RR_ERR_GORIDGE_PID_TIMEOUT');
    expect(err.message).toContain('pids 31337');
    expect(err.message).toContain('sh -c');
  });

  it('closes connections that are never claimed and warns', async () => {
    const warnings: string[] = [];
    const server = await listen('tcp://127.0.0.1:0', { unclaimedTimeoutMs: 30, onWarning: (m) => warnings.push(m) });
    const { socket } = await fakeWorker(server, (s) => s.write(encodeFrame(pidReplyFrame(999_999))));
    await closedSocket(socket);
    expect(warnings.join('\n')).toMatch(/pid 999999.*never|no process with that pid claimed it/);
    expect(server.unclaimedCount).toBe(0);
  });

  it.each([
    ['no CONTROL bit', encodeFrame({ payload: Buffer.from('{"pid":5}') }), 'expected a CONTROL frame'],
    ['invalid JSON', encodeFrame({ flags: Flag.CONTROL, payload: Buffer.from('{pid') }), 'not JSON'],
    ['pid 0', encodeFrame({ flags: Flag.CONTROL, payload: Buffer.from('{"pid":0}') }), 'integer > 0'],
    ['garbage', Buffer.from('HTTP/1.1 400 Bad Request\r\n'), 'CRC mismatch'],
  ])('drops a connection whose handshake reply has %s', async (_name, reply, why) => {
    const warnings: string[] = [];
    const server = await listen('tcp://127.0.0.1:0', { garbageWaitMs: 0, onWarning: (m) => warnings.push(m) });
    const { socket } = await fakeWorker(server, (s) => s.write(reply));
    await closedSocket(socket);
    expect(warnings.join('\n')).toContain(why);
    expect(server.unclaimedCount).toBe(0);
  });

  it('drops a connection that never answers within handshakeTimeoutMs', async () => {
    const warnings: string[] = [];
    const server = await listen('tcp://127.0.0.1:0', { handshakeTimeoutMs: 30, onWarning: (m) => warnings.push(m) });
    const { socket } = await fakeWorker(server, () => {});
    await closedSocket(socket);
    expect(warnings.join('\n')).toContain('no answer to the pid control frame within 30 ms');
  });

  it('waitForPid honours an AbortSignal', async () => {
    const server = await listen('tcp://127.0.0.1:0');
    const ac = new AbortController();
    const wait = server.waitForPid(42, 60_000, ac.signal);
    ac.abort(new Error('process exited'));
    await expect(wait).rejects.toThrow('process exited');
  });

  it('close() rejects waiters, removes the unix socket file, and refuses later waits', async () => {
    const path = join(dir, 'closing.sock');
    const server = await listen(`unix://${path}`);
    expect(existsSync(path)).toBe(true);
    const wait = server.waitForPid(42, 60_000).catch((e: unknown) => e);
    await server.close();
    expect(await wait).toMatchObject({ code: 'RR_ERR_GORIDGE_CLOSED' });
    await expect(server.waitForPid(42, 10)).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_CLOSED' });
    expect(existsSync(path)).toBe(false);
  });
});

describe('SocketRelayServer.listen', () => {
  it('unlinks a stale unix socket file left by a dead process', async () => {
    const path = join(dir, 'stale.sock');
    const r = spawnSync('php', ['-r', `stream_socket_server("unix://${path}");`]);
    expect(r.status).toBe(0);
    expect(existsSync(path)).toBe(true);
    const server = await listen(`unix://${path}`);
    const child = spawnPhp([ECHO_WORKER], { RR_RELAY: server.address });
    await server.waitForPid(child.pid!, 10_000);
  });

  it('refuses to delete a regular file at the socket path', async () => {
    const path = join(dir, 'precious.txt');
    writeFileSync(path, 'data');
    await expect(listen(`unix://${path}`)).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_LISTEN' });
    expect(existsSync(path)).toBe(true);
  });

  it('reports an address in use with a hint', async () => {
    const first = await listen('tcp://127.0.0.1:0');
    const port = first.dsn.kind === 'tcp' ? first.dsn.port : 0;
    const err = (await listen(`tcp://127.0.0.1:${port}`).catch((e: unknown) => e)) as { code: string; message: string };
    expect(err.code).toBe('RR_ERR_GORIDGE_LISTEN');
    expect(err.message).toContain('EADDRINUSE');
  });
});

// Test helpers for HTTP middleware plugins: a loopback server with the middleware in front of a
// stub final handler (the http plugin itself is tested end to end with real PHP), and a kernel
// with a stand-in http plugin that collects the middleware registry.
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { LeanServer, isLeanRequest } from '@rr/h1';
import { createKernel, createMemoryLogging, validateSection, type Kernel } from '@rr/kernel';
import { definePlugin, type AnyPlugin, type Contribution } from '@rr/plugin-api';
import { httpMiddlewareToken, type HttpHandler, type Middleware, type MiddlewareContribution } from '@rr/http-api';

/** What the stub "PHP" handler saw: tests assert a request did (or did not) pass through. */
export interface StubCall {
  readonly url: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
}

export interface TestServer {
  readonly port: number;
  readonly calls: StubCall[];
  /** Which server parsed each request, in arrival order (the lean lane hands some to node:http). */
  readonly served: MiddlewareEngine[];
  close(): Promise<void>;
}

/**
 * Which HTTP/1 server the middleware runs behind: node:http, or the lean lane (@rr/h1) the http
 * plugin uses when every listed middleware declares `lean: true`. Middleware that declares it
 * should pass its tests on both.
 */
export type MiddlewareEngine = 'node' | 'lean';

export interface MiddlewareServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 'node' */
  readonly engine?: MiddlewareEngine;
}

/** A loopback server running `middleware` in front of a stub final handler answering 200 "php". */
export async function startMiddlewareServer(
  middleware: Middleware,
  final?: HttpHandler,
  /** The host, or options (host and engine). */
  hostOrOptions: string | MiddlewareServerOptions = {},
): Promise<TestServer> {
  const { host = '127.0.0.1', engine = 'node' } = typeof hostOrOptions === 'string' ? { host: hostOrOptions } : hostOrOptions;
  const calls: StubCall[] = [];
  const stub: HttpHandler = final ?? (async (req, res) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/plain');
    res.end('php');
  });
  const recorded: HttpHandler = async (req, res) => {
    calls.push({ url: req.url ?? '', method: req.method ?? '', headers: { ...req.headers }, rawHeaders: [...req.rawHeaders] });
    await stub(req, res);
  };
  const handler = middleware(recorded);
  const served: MiddlewareEngine[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    served.push(isLeanRequest(req) ? 'lean' : 'node');
    handler(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  };
  const server = createServer(onRequest);
  if (engine === 'node') {
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return {
      port: (server.address() as AddressInfo).port,
      calls,
      served,
      close: () => new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }
  // As the http plugin wires it: node:http (not listening) serves what the lane hands off.
  const lean = new LeanServer({ maxBodySize: 1024 * 1024, fallback: server }, onRequest as never);
  await new Promise<void>((resolve) => lean.server.listen(0, host, resolve));
  return {
    port: (lean.server.address() as AddressInfo).port,
    calls,
    served,
    close: () => new Promise((resolve) => {
      lean.destroyAll();
      server.closeAllConnections();
      lean.server.close(() => resolve());
    }),
  };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Opens a plain connection and sends `GET path` on it; the caller decides when to drop it (a client
 * that leaves before, or in the middle of, its answer). Add an 'error' listener if a reset may follow.
 */
export function openRawGet(port: number, path: string, host = '127.0.0.1'): Socket {
  const socket = connect(port, host, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
  return socket;
}

/** Sends the path exactly as given (no client-side normalisation of `..` or percent-escapes). */
export function rawGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', host = '127.0.0.1'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A real kernel with `plugin` and a stand-in http plugin that collects the middleware registry. */
export function kernelWith(plugin: AnyPlugin, data: Record<string, unknown>, workDir: string): {
  kernel: Kernel;
  collected(): readonly Contribution<MiddlewareContribution>[];
} {
  let seen: readonly Contribution<MiddlewareContribution>[] = [];
  const http = definePlugin({
    name: 'http',
    kernel: '^0.1.0',
    collects: [httpMiddlewareToken],
    init(ctx) {
      return { serve: () => { seen = ctx.collected(httpMiddlewareToken); } };
    },
  });
  const kernel = createKernel({
    entries: [http, plugin].map((p) => ({ plugin: p, source: 'builtin' as const, packageName: `test-${p.name}`, packageVersion: '0.0.0' })),
    config: { file: `${workDir}/.rr.yaml`, dir: workDir, data: { version: '3', ...data }, experimental: false },
    loggers: createMemoryLogging(),
    version: '2026.1.0-test',
    validateSection,
  });
  return { kernel, collected: () => seen };
}

/** The error start() rejected with (fails the test when it resolved). */
export async function startError(kernel: Kernel): Promise<{ code: string; errors?: Array<{ code?: string; message: string }> }> {
  return (await kernel.start().then(() => { throw new Error('expected start() to fail'); }, (e: unknown) => e)) as never;
}

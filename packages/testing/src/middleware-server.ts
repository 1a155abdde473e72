// Test helpers for HTTP middleware plugins: a loopback server with the middleware in front of a
// stub final handler (the http plugin itself is tested end to end with real PHP), and a kernel
// with a stand-in http plugin that collects the middleware registry.
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  close(): Promise<void>;
}

/** A loopback server running `middleware` in front of a stub final handler answering 200 "php". */
export async function startMiddlewareServer(middleware: Middleware, final?: HttpHandler, host = '127.0.0.1'): Promise<TestServer> {
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
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    calls,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
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

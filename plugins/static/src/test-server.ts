import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler, Middleware } from '@rr/http-api';

/** What the stub "PHP" handler saw: tests assert a request did (or did not) pass through. */
export interface StubCall {
  readonly url: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
}

export interface TestServer {
  readonly port: number;
  readonly calls: StubCall[];
  close(): Promise<void>;
}

/** A loopback server running `middleware` in front of a stub final handler answering 200 "php". */
export async function startMiddlewareServer(middleware: Middleware, final?: HttpHandler): Promise<TestServer> {
  const calls: StubCall[] = [];
  const stub: HttpHandler = final ?? (async (req, res) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/plain');
    res.end('php');
  });
  const recorded: HttpHandler = async (req, res) => {
    calls.push({ url: req.url ?? '', method: req.method ?? '', headers: { ...req.headers } });
    await stub(req, res);
  };
  const handler = middleware(recorded);
  const server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
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
export function rawGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

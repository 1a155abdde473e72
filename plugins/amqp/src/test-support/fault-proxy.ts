import { createServer, connect, type Server, type Socket } from 'node:net';

/** What the proxy does with new connections (and, for blackhole, with open ones). */
export type FaultMode = 'pass' | 'refuse' | 'blackhole';

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  blackholed: boolean;
}

/**
 * A TCP proxy for broker outage tests, between a driver and its broker on loopback:
 * pass (forward), resetAll (RST every open connection), refuse (RST new connections at once),
 * blackhole (accept and swallow bytes both ways, on open and new connections: only heartbeats or
 * timeouts can tell).
 */
export class FaultProxy {
  private mode: FaultMode = 'pass';
  private readonly pairs = new Set<Pair>();
  accepted = 0;

  private constructor(private readonly server: Server, readonly port: number, private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('fault proxy: no port');
    const proxy = new FaultProxy(server, addr.port, target);
    server.on('connection', (s) => proxy.onConnection(s));
    return proxy;
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  private onConnection(client: Socket): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: undefined, blackholed: this.mode === 'blackhole' };
    this.pairs.add(pair);
    const drop = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('close', drop);
    if (pair.blackholed) {
      client.on('data', () => undefined);
      return;
    }
    const up = connect(this.target.port, this.target.host);
    pair.upstream = up;
    up.on('error', () => client.resetAndDestroy());
    up.on('close', drop);
    client.on('data', (b) => { if (!pair.blackholed) up.write(b); });
    up.on('data', (b) => { if (!pair.blackholed) client.write(b); });
  }

  /** Forward new connections again (blackholed ones stay dead, as after a real network fault). */
  pass(): void {
    this.mode = 'pass';
  }

  /** RST every open connection; with `thenRefuse`, also every new one until pass(). */
  resetAll(thenRefuse = true): void {
    if (thenRefuse) this.mode = 'refuse';
    for (const p of [...this.pairs]) {
      this.pairs.delete(p);
      p.client.resetAndDestroy();
      p.upstream?.resetAndDestroy();
    }
  }

  refuse(): void {
    this.mode = 'refuse';
  }

  /** Silently drop every byte of open and new connections. */
  blackhole(): void {
    this.mode = 'blackhole';
    for (const p of this.pairs) p.blackholed = true;
  }

  async close(): Promise<void> {
    this.resetAll(true);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

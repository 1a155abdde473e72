import type { ChildProcess } from 'node:child_process';
import { PipeRelay, SocketRelayServer, pidHandshake, type Relay, type SocketDsn } from '@rr/goridge';
import type { WorkerTransport } from './worker.js';

/** `pipes`: frames on the worker's STDIN/STDOUT; the handshake is sent right after spawn. */
export const pipesTransport: WorkerTransport = {
  kind: 'pipes',
  address: 'pipes',
  async connect(child: ChildProcess, _pid: number, timeoutMs: number, signal: AbortSignal): Promise<Relay> {
    const relay = PipeRelay.fromChild(child);
    try {
      await pidHandshake(relay, { timeoutMs, signal });
    } catch (err) {
      relay.destroy();
      throw err;
    }
    return relay;
  },
};

/**
 * `tcp://` and `unix://`: rr listens, every worker connects back and is matched by the pid it
 * reports. One listener serves every pool of the server plugin, as in RoadRunner.
 */
export class SocketTransport implements WorkerTransport {
  readonly kind = 'socket' as const;

  private constructor(private readonly server: SocketRelayServer) {}

  static async listen(dsn: SocketDsn, onWarning: (message: string) => void): Promise<SocketTransport> {
    const server = await SocketRelayServer.listen(dsn, { onWarning: (m) => onWarning(m) });
    return new SocketTransport(server);
  }

  /** What workers dial (RR_RELAY): the actual port, loopback for a wildcard host, an absolute path. */
  get address(): string {
    return this.server.address;
  }

  connect(_child: ChildProcess, pid: number, timeoutMs: number, signal: AbortSignal): Promise<Relay> {
    return this.server.waitForPid(pid, timeoutMs, signal);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

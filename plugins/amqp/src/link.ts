import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from '@rr/plugin-api';
import { redactAddr } from './config.js';

type AmqpLib = typeof import('amqplib');

/** One live connection of a pipeline: a confirm channel for publishing and one for consuming. */
export interface LinkChannels {
  readonly conn: ChannelModel;
  readonly pub: ConfirmChannel;
  readonly sub: Channel;
  /** Increases with every new connection, so deliveries of an older one can be told apart. */
  readonly generation: number;
}

export interface LinkOptions {
  readonly lib: AmqpLib;
  readonly url: string;
  readonly socketOptions: Record<string, unknown>;
  readonly logger: Logger;
  readonly pipeline: string;
  readonly redialTimeoutS: number;
  /** Declares the topology on a fresh connection; a failure fails the dial. */
  setup(ch: LinkChannels): Promise<void>;
  /** Called after each successful (re)dial. */
  onUp(ch: LinkChannels): void;
  /** Called once when a live connection is lost. */
  onDown(ch: LinkChannels, reason: string): void;
}

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 2_000;

/**
 * Keeps one connection to RabbitMQ alive for a pipeline: any connection or channel error closes the
 * whole connection and starts redialling with capped exponential backoff, forever (RoadRunner gives
 * up after `redial_timeout`; rr keeps trying and logs an error once that much time has passed, so a
 * long broker outage heals by itself). Blackholed connections are detected by AMQP heartbeats.
 */
export class AmqpLink {
  private current: LinkChannels | undefined;
  private generation = 0;
  private closed = false;
  private redialing = false;
  private downSince: number | undefined;
  private lastError = '';
  private readonly waiters = new Set<() => void>();
  private wakeSleep: (() => void) | undefined;

  constructor(private readonly o: LinkOptions) {}

  get channels(): LinkChannels | undefined {
    return this.current;
  }

  /** Why the broker is unreachable, while it is. */
  get downReason(): string | undefined {
    return this.current === undefined ? this.lastError || 'not connected' : undefined;
  }

  /** First dial: fails (and throws) as RoadRunner does when the broker cannot be reached at start. */
  async start(): Promise<void> {
    const ch = await this.dialOnce();
    this.up(ch);
  }

  /** The live channels, waiting for a redial when the connection is down; rejects when `signal` fires. */
  whenUp(signal: AbortSignal): Promise<LinkChannels> {
    if (this.current) return Promise.resolve(this.current);
    if (this.closed) return Promise.reject(new Error('the pipeline is closed'));
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        cleanup();
        if (this.current) resolve(this.current);
        else reject(new Error('the pipeline is closed'));
      };
      const onAbort = (): void => {
        cleanup();
        reject(new Error(`RabbitMQ unreachable (${this.lastError || 'reconnecting'})`));
      };
      const cleanup = (): void => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', onAbort);
      };
      if (signal.aborted) return onAbort();
      this.waiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Drops the current connection (after a channel-level failure) and redials. */
  reset(ch: LinkChannels, reason: string): void {
    this.lost(ch, reason);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeSleep?.();
    const ch = this.current;
    this.current = undefined;
    for (const w of [...this.waiters]) w();
    if (ch) {
      // Channel closes first: amqplib multiplexes channel frames, so a connection.close written at once
      // could overtake acks still queued on the consume channel; channel.close is ordered after them.
      for (const c of [ch.sub, ch.pub]) await c.close().catch(() => undefined);
      try {
        await ch.conn.close();
      } catch {
        // already closing or gone: the broker requeues what was unacked either way
      }
    }
  }

  private async dialOnce(): Promise<LinkChannels> {
    const conn = await this.o.lib.connect(this.o.url, this.o.socketOptions);
    // An 'error' event without a listener would throw: the 'close' handler does the recovery.
    conn.on('error', (err: Error) => { this.lastError = err.message; });
    try {
      const pub = await conn.createConfirmChannel();
      const sub = await conn.createChannel();
      pub.on('error', (err: Error) => { this.lastError = err.message; });
      sub.on('error', (err: Error) => { this.lastError = err.message; });
      const ch: LinkChannels = { conn, pub, sub, generation: ++this.generation };
      await this.o.setup(ch);
      conn.on('close', (err?: Error) => this.lost(ch, err?.message ?? this.lastError ?? 'connection closed'));
      pub.on('close', () => this.lost(ch, `publish channel closed: ${this.lastError}`));
      sub.on('close', () => this.lost(ch, `consume channel closed: ${this.lastError}`));
      return ch;
    } catch (err) {
      conn.close().catch(() => undefined);
      throw err;
    }
  }

  private up(ch: LinkChannels): void {
    if (this.closed) {
      ch.conn.close().catch(() => undefined);
      return;
    }
    this.current = ch;
    this.downSince = undefined;
    this.lastError = '';
    for (const w of [...this.waiters]) w();
    this.o.onUp(ch);
  }

  private lost(ch: LinkChannels, reason: string): void {
    if (this.current !== ch) return;
    this.current = undefined;
    this.lastError = reason;
    this.downSince = Date.now();
    ch.conn.close().catch(() => undefined);
    if (this.closed) return;
    this.o.logger.warn('amqp connection lost, redialing', { pipeline: this.o.pipeline, reason, addr: redactAddr(this.o.url) });
    this.o.onDown(ch, reason);
    void this.redial();
  }

  private async redial(): Promise<void> {
    if (this.redialing) return;
    this.redialing = true;
    let backoff = BACKOFF_FIRST_MS;
    let attempt = 0;
    try {
      while (!this.closed) {
        await this.sleep(backoff);
        if (this.closed) return;
        attempt++;
        try {
          const ch = await this.dialOnce();
          this.o.logger.info('amqp connection restored', { pipeline: this.o.pipeline, attempts: attempt, down_ms: Date.now() - (this.downSince ?? Date.now()) });
          this.up(ch);
          return;
        } catch (err) {
          this.lastError = (err as Error).message;
          const downS = (Date.now() - (this.downSince ?? Date.now())) / 1000;
          const fields = { pipeline: this.o.pipeline, attempt, error: this.lastError, down_s: Math.round(downS), next_ms: backoff };
          if (downS >= this.o.redialTimeoutS && attempt % 10 === 1) {
            this.o.logger.error(`amqp redial still failing after redial_timeout (${this.o.redialTimeoutS}s); pushes fail until RabbitMQ is back`, fields);
          } else if (attempt % 10 === 1) {
            this.o.logger.warn('amqp redial failed', fields);
          }
          backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
        }
      }
    } finally {
      this.redialing = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void { clearTimeout(t); resolve(); }
      this.wakeSleep = done;
    });
  }
}

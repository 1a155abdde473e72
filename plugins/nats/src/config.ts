import { ConfigError, parseDuration } from '@rr/plugin-api';

type Raw = Readonly<Record<string, unknown>>;

/** The top-level `nats:` section, compiled. */
export interface NatsGlobalConfig {
  /** Server URLs (RoadRunner: one `addr`; a comma-separated list is accepted). */
  readonly servers: readonly string[];
  /** rr extension `ping_interval`: client PING period; two unanswered PINGs mark the connection dead. */
  readonly pingIntervalMs: number;
  /** rr extension `connect_timeout`: first-connect deadline. */
  readonly connectTimeoutMs: number;
}

/** One pipeline's `config` block: RoadRunner's keys and defaults, plus rr's `ack_wait` and `max_deliver`. */
export interface NatsPipelineConfig {
  readonly priority: number;
  readonly prefetch: number;
  readonly subject: string;
  readonly stream: string;
  readonly deliverNew: boolean;
  /** Accepted for RoadRunner compatibility (a push-consumer bit rate); rr uses a pull consumer. */
  readonly rateLimit: number;
  readonly deleteStreamOnStop: boolean;
  readonly deleteAfterAck: boolean;
  /** JetStream ack_wait of the consumer; rr sends in-progress acks while it holds a job. */
  readonly ackWaitMs: number;
  /** JetStream max_deliver (0 = unlimited, RoadRunner's behaviour): bounds poison jobs. */
  readonly maxDeliver: number;
  /** Durable consumer name (rr extension `consumer`; default `rr_<pipeline>`). */
  readonly consumer: string;
}

function bool(raw: Raw, key: string, path: string, dflt = false): boolean {
  const v = raw[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ConfigError(`${path}.${key}`, 'a boolean', v);
}

function int(raw: Raw, key: string, path: string, dflt: number, min = 0): number {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new ConfigError(`${path}.${key}`, `an integer >= ${min}`, v);
  return n;
}

function str(raw: Raw, key: string, path: string, dflt: string): string {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v !== 'string') throw new ConfigError(`${path}.${key}`, 'a string', v);
  return v;
}

function dur(raw: Raw, key: string, path: string, dfltMs: number): number {
  const v = raw[key];
  if (v === undefined || v === null || v === '' || v === 0) return dfltMs;
  const ms = parseDuration(v, `${path}.${key}`);
  if (ms <= 0) throw new ConfigError(`${path}.${key}`, 'a positive duration such as 30s', v);
  return ms;
}

const NAME = /^[^.*>\s]+$/;

export function compileNatsPipelineConfig(raw: Raw, path: string, pipeline: string): NatsPipelineConfig {
  const stream = str(raw, 'stream', path, 'default-stream');
  if (!NAME.test(stream)) throw new ConfigError(`${path}.stream`, 'a stream name without ".", "*", ">" or spaces', stream);
  const consumer = str(raw, 'consumer', path, `rr_${pipeline}`.replace(/[.*>\s]/g, '_'));
  if (!NAME.test(consumer)) throw new ConfigError(`${path}.consumer`, 'a consumer name without ".", "*", ">" or spaces', consumer);
  const maxDeliver = int(raw, 'max_deliver', path, 0, -1);
  return {
    priority: int(raw, 'priority', path, 10),
    prefetch: int(raw, 'prefetch', path, 10, 1),
    subject: str(raw, 'subject', path, 'default'),
    stream,
    deliverNew: bool(raw, 'deliver_new', path),
    rateLimit: int(raw, 'rate_limit', path, 1000),
    deleteStreamOnStop: bool(raw, 'delete_stream_on_stop', path),
    deleteAfterAck: bool(raw, 'delete_after_ack', path),
    ackWaitMs: dur(raw, 'ack_wait', path, 30_000),
    maxDeliver: maxDeliver < 0 ? 0 : maxDeliver,
    consumer,
  };
}

export function compileNatsGlobalConfig(raw: unknown): NatsGlobalConfig {
  const r = (raw ?? {}) as Raw;
  if (typeof r !== 'object') throw new ConfigError('nats', 'a map with addr', raw);
  const addr = str(r, 'addr', 'nats', 'nats://127.0.0.1:4222');
  const servers = addr.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of servers) {
    let u: URL;
    try { u = new URL(s); } catch { throw new ConfigError('nats.addr', 'a nats:// URL such as nats://127.0.0.1:4222', addr); }
    if (u.protocol !== 'nats:' && u.protocol !== 'tls:') throw new ConfigError('nats.addr', 'a nats:// (or tls://) URL', addr);
  }
  return {
    servers,
    pingIntervalMs: dur(r, 'ping_interval', 'nats', 10_000),
    connectTimeoutMs: dur(r, 'connect_timeout', 'nats', 5_000),
  };
}

export function redactServer(s: string): string {
  try {
    const u = new URL(s);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

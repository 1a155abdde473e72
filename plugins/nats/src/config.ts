import { ConfigError } from '@rr/plugin-api';
import { pipelineConfigReader, type PipelineConfigReaderOptions } from '@rr/jobs-api';

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

// Values may arrive as strings (jobs.Declare); '' means the default; durations must be positive.
const READ: PipelineConfigReaderOptions = { acceptStrings: true, emptyStringIsDefault: true, emptyIntIsDefault: true, positiveDurations: true };

const NAME = /^[^.*>\s]+$/;

export function compileNatsPipelineConfig(raw: Raw, path: string, pipeline: string): NatsPipelineConfig {
  const { str, int, bool, durationMs } = pipelineConfigReader(raw, path, READ);
  const stream = str('stream', 'default-stream');
  if (!NAME.test(stream)) throw new ConfigError(`${path}.stream`, 'a stream name without ".", "*", ">" or spaces', stream);
  const consumer = str('consumer', `rr_${pipeline}`.replace(/[.*>\s]/g, '_'));
  if (!NAME.test(consumer)) throw new ConfigError(`${path}.consumer`, 'a consumer name without ".", "*", ">" or spaces', consumer);
  const maxDeliver = int('max_deliver', 0, -1);
  return {
    priority: int('priority', 10),
    prefetch: int('prefetch', 10, 1),
    subject: str('subject', 'default'),
    stream,
    deliverNew: bool('deliver_new'),
    rateLimit: int('rate_limit', 1000),
    deleteStreamOnStop: bool('delete_stream_on_stop'),
    deleteAfterAck: bool('delete_after_ack'),
    ackWaitMs: durationMs('ack_wait', 30_000),
    maxDeliver: maxDeliver < 0 ? 0 : maxDeliver,
    consumer,
  };
}

export function compileNatsGlobalConfig(raw: unknown): NatsGlobalConfig {
  const r = (raw ?? {}) as Raw;
  if (typeof r !== 'object') throw new ConfigError('nats', 'a map with addr', raw);
  const { str, durationMs } = pipelineConfigReader(r, 'nats', READ);
  const addr = str('addr', 'nats://127.0.0.1:4222');
  const servers = addr.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of servers) {
    let u: URL;
    try { u = new URL(s); } catch { throw new ConfigError('nats.addr', 'a nats:// URL such as nats://127.0.0.1:4222', addr); }
    if (u.protocol !== 'nats:' && u.protocol !== 'tls:') throw new ConfigError('nats.addr', 'a nats:// (or tls://) URL', addr);
  }
  return {
    servers,
    pingIntervalMs: durationMs('ping_interval', 10_000),
    connectTimeoutMs: durationMs('connect_timeout', 5_000),
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

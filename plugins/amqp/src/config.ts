import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, parseDuration } from '@rr/plugin-api';

type Raw = Readonly<Record<string, unknown>>;

/** The top-level `amqp:` section, compiled. */
export interface AmqpGlobalConfig {
  /** Connection URL; `heartbeat=10` is added when the URL names none (amqp091-go's default). */
  readonly addr: string;
  readonly tls: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer } | undefined;
  /** rr extension `connect_timeout`: TCP + AMQP handshake deadline of each dial (default 5 s). */
  readonly connectTimeoutMs: number;
}

/** One pipeline's `config` block (RoadRunner's keys and defaults). */
export interface AmqpPipelineConfig {
  readonly prefetch: number;
  readonly priority: number;
  readonly queue: string;
  readonly exchange: string;
  readonly exchangeType: string;
  readonly routingKey: string;
  readonly durable: boolean;
  readonly exchangeDurable: boolean;
  readonly exchangeAutoDelete: boolean;
  readonly queueAutoDelete: boolean;
  readonly deleteQueueOnStop: boolean;
  /** Seconds without a connection after which every failed redial is logged as an error. */
  readonly redialTimeoutS: number;
  readonly exclusive: boolean;
  readonly multipleAck: boolean;
  readonly requeueOnFail: boolean;
  readonly consumerId: string;
  readonly queueHeaders: Readonly<Record<string, unknown>>;
}

function bool(raw: Raw, key: string, path: string, dflt = false): boolean {
  const v = raw[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  // Pipelines declared over RPC (jobs.Declare) arrive as strings.
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
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string') throw new ConfigError(`${path}.${key}`, 'a string', v);
  return v;
}

const EXCHANGE_TYPES = new Set(['direct', 'fanout', 'topic', 'headers']);

/** Reads `jobs.pipelines.<name>.config` of an amqp pipeline. */
export function compileAmqpPipelineConfig(raw: Raw, path: string): AmqpPipelineConfig {
  const exchangeType = str(raw, 'exchange_type', path, 'direct');
  if (!EXCHANGE_TYPES.has(exchangeType)) throw new ConfigError(`${path}.exchange_type`, 'one of direct, fanout, topic, headers', exchangeType);
  let queueHeaders: Raw = {};
  const qh = raw['queue_headers'];
  if (qh !== undefined && qh !== null) {
    if (typeof qh === 'string') {
      // jobs.Declare passes maps as JSON text.
      try { queueHeaders = JSON.parse(qh) as Raw; } catch { throw new ConfigError(`${path}.queue_headers`, 'a map (or its JSON text)', qh); }
    } else if (typeof qh === 'object' && !Array.isArray(qh)) {
      queueHeaders = qh as Raw;
    } else {
      throw new ConfigError(`${path}.queue_headers`, 'a map of queue arguments such as x-dead-letter-exchange', qh);
    }
  }
  return {
    prefetch: int(raw, 'prefetch', path, 10, 1),
    priority: int(raw, 'priority', path, 10),
    queue: str(raw, 'queue', path, 'default'),
    exchange: str(raw, 'exchange', path, 'amqp.default'),
    exchangeType,
    routingKey: str(raw, 'routing_key', path, ''),
    durable: bool(raw, 'durable', path),
    exchangeDurable: bool(raw, 'exchange_durable', path),
    exchangeAutoDelete: bool(raw, 'exchange_auto_delete', path),
    queueAutoDelete: bool(raw, 'queue_auto_delete', path),
    deleteQueueOnStop: bool(raw, 'delete_queue_on_stop', path),
    redialTimeoutS: int(raw, 'redial_timeout', path, 60),
    exclusive: bool(raw, 'exclusive', path),
    multipleAck: bool(raw, 'multiple_ack', path),
    requeueOnFail: bool(raw, 'requeue_on_fail', path),
    consumerId: str(raw, 'consumer_id', path, '') || `roadrunner-${randomUUID()}`,
    queueHeaders,
  };
}

/** Reads the top-level `amqp:` section (`addr`, `tls`). */
export function compileAmqpGlobalConfig(raw: unknown, workDir: string): AmqpGlobalConfig {
  const r = (raw ?? {}) as Raw;
  if (typeof r !== 'object') throw new ConfigError('amqp', 'a map with addr and tls', raw);
  let addr = str(r, 'addr', 'amqp', 'amqp://guest:guest@127.0.0.1:5672');
  let url: URL;
  try { url = new URL(addr); } catch { throw new ConfigError('amqp.addr', 'an amqp:// or amqps:// URL such as amqp://guest:guest@127.0.0.1:5672', addr); }
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') throw new ConfigError('amqp.addr', 'an amqp:// or amqps:// URL', addr);
  if (!url.searchParams.has('heartbeat')) {
    url.searchParams.set('heartbeat', '10');
    addr = url.toString();
  }
  let tls: AmqpGlobalConfig['tls'];
  const t = r['tls'];
  if (t !== undefined && t !== null) {
    if (typeof t !== 'object') throw new ConfigError('amqp.tls', 'a map with key, cert, root_ca, client_auth_type', t);
    const file = (key: string): Buffer | undefined => {
      const f = str(t as Raw, key, 'amqp.tls', '');
      if (f === '') return undefined;
      const p = isAbsolute(f) ? f : resolve(workDir, f);
      try { return readFileSync(p); } catch (e) { throw new ConfigError(`amqp.tls.${key}`, `a readable PEM file (${(e as Error).message})`, f); }
    };
    const ca = file('root_ca');
    const cert = file('cert');
    const key = file('key');
    tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
  const ct = r['connect_timeout'];
  const connectTimeoutMs = ct === undefined || ct === null || ct === '' || ct === 0 ? 5_000 : parseDuration(ct, 'amqp.connect_timeout');
  return { addr, tls, connectTimeoutMs };
}

/** The URL with its password masked, for logs. */
export function redactAddr(addr: string): string {
  try {
    const u = new URL(addr);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

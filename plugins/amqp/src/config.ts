import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, parseDuration } from '@rr/plugin-api';
import { pipelineConfigReader, type PipelineConfigReaderOptions } from '@rr/jobs-api';

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

// Integers and booleans may arrive as strings (jobs.Declare); '' is a valid string value.
const READ: PipelineConfigReaderOptions = { acceptStrings: true, emptyIntIsDefault: true };

const EXCHANGE_TYPES = new Set(['direct', 'fanout', 'topic', 'headers']);

/** Reads `jobs.pipelines.<name>.config` of an amqp pipeline. */
export function compileAmqpPipelineConfig(raw: Raw, path: string): AmqpPipelineConfig {
  const { str, int, bool } = pipelineConfigReader(raw, path, READ);
  const exchangeType = str('exchange_type', 'direct');
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
    prefetch: int('prefetch', 10, 1),
    priority: int('priority', 10),
    queue: str('queue', 'default'),
    exchange: str('exchange', 'amqp.default'),
    exchangeType,
    routingKey: str('routing_key', ''),
    durable: bool('durable'),
    exchangeDurable: bool('exchange_durable'),
    exchangeAutoDelete: bool('exchange_auto_delete'),
    queueAutoDelete: bool('queue_auto_delete'),
    deleteQueueOnStop: bool('delete_queue_on_stop'),
    redialTimeoutS: int('redial_timeout', 60),
    exclusive: bool('exclusive'),
    multipleAck: bool('multiple_ack'),
    requeueOnFail: bool('requeue_on_fail'),
    consumerId: str('consumer_id', '') || `roadrunner-${randomUUID()}`,
    queueHeaders,
  };
}

/** Reads the top-level `amqp:` section (`addr`, `tls`). */
export function compileAmqpGlobalConfig(raw: unknown, workDir: string): AmqpGlobalConfig {
  const r = (raw ?? {}) as Raw;
  if (typeof r !== 'object') throw new ConfigError('amqp', 'a map with addr and tls', raw);
  let addr = pipelineConfigReader(r, 'amqp', READ).str('addr', 'amqp://guest:guest@127.0.0.1:5672');
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
      const f = pipelineConfigReader(t as Raw, 'amqp.tls', READ).str(key, '');
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

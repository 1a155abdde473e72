import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigView } from '@rr/plugin-api';
import { pipelineConfigReader } from '@rr/jobs-api';

type Raw = Readonly<Record<string, unknown>>;

export interface KafkaGlobalConfig {
  readonly brokers: readonly string[];
  readonly ssl: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer } | undefined;
  readonly sasl: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string } | undefined;
  readonly connectTimeoutMs: number;
}

export interface KafkaPipelineConfig {
  readonly priority: number;
  readonly autoCreateTopics: boolean;
  readonly topics: readonly string[];
  readonly consumeRegexp: boolean;
  /** true = AtStart (the default), false = AtEnd, for a group without committed offsets. */
  readonly fromBeginning: boolean;
  /** Empty: no consumer group (rr uses a private group and commits nothing). */
  readonly groupId: string;
  /** rr extension `group_options.session_timeout` (default 10s, Kafka's minimum is usually 6s). */
  readonly sessionTimeoutMs: number;
  readonly requiredAcks: -1 | 0 | 1;
  readonly requestTimeoutMs: number;
  readonly gzip: boolean;
  readonly idempotent: boolean;
  readonly prefetch: number;
}

function obj(raw: unknown, path: string): Raw {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(path, 'a map', raw);
  return raw as Raw;
}

/** Kept local: unlike the shared int() it takes no numeric strings and its message says '≥'. */
function int(raw: Raw, key: string, path: string, dflt: number, min = 0): number {
  const v = raw[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ConfigError(`${path}.${key}`, `an integer ≥ ${min}`, v);
  return v;
}

export function compileKafkaGlobal(view: ConfigView): KafkaGlobalConfig {
  const raw = obj(view.get('kafka'), 'kafka');
  const brokers = raw['brokers'];
  if (!Array.isArray(brokers) || brokers.length === 0 || !brokers.every((b) => typeof b === 'string' && /^.+:\d+$/.test(b))) {
    throw new ConfigError('kafka.brokers', 'a list of host:port addresses such as ["127.0.0.1:9092"]', brokers);
  }
  let ssl: KafkaGlobalConfig['ssl'];
  if (raw['tls'] !== undefined && raw['tls'] !== null) {
    const t = obj(raw['tls'], 'kafka.tls');
    const file = (key: string): Buffer | undefined => {
      const f = pipelineConfigReader(t, 'kafka.tls').str(key, '');
      if (f === '') return undefined;
      try {
        return readFileSync(isAbsolute(f) ? f : resolve(view.workDir, f));
      } catch (err) {
        throw new ConfigError(`kafka.tls.${key}`, `a readable PEM file (${(err as Error).message})`, f);
      }
    };
    const ca = file('root_ca');
    const cert = file('cert');
    const key = file('key');
    ssl = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
  let sasl: KafkaGlobalConfig['sasl'];
  if (raw['sasl'] !== undefined && raw['sasl'] !== null) {
    const s = obj(raw['sasl'], 'kafka.sasl');
    const { str } = pipelineConfigReader(s, 'kafka.sasl');
    const m = str('mechanism', '').toLowerCase();
    if (m !== 'plain' && m !== 'scram-sha-256' && m !== 'scram-sha-512') {
      throw new ConfigError('kafka.sasl.mechanism', 'plain, SCRAM-SHA-256 or SCRAM-SHA-512 (aws_msk_iam is not supported by rr)', s['mechanism']);
    }
    sasl = { mechanism: m, username: str('username', ''), password: str('password', '') };
  }
  const ping = obj(raw['ping'], 'kafka.ping');
  return { brokers: brokers as string[], ssl, sasl, connectTimeoutMs: pipelineConfigReader(ping, 'kafka.ping').durationMs('timeout', 10_000) };
}

const ACKS: Record<string, -1 | 0 | 1> = { AllISRAck: -1, LeaderAck: 1, NoAck: 0 };

export function compileKafkaPipeline(raw: Raw, path: string): KafkaPipelineConfig {
  const producer = obj(raw['producer_options'], `${path}.producer_options`);
  const consumer = obj(raw['consumer_options'], `${path}.consumer_options`);
  const group = obj(raw['group_options'], `${path}.group_options`);
  const topicsRaw = consumer['topics'] ?? [];
  if (!Array.isArray(topicsRaw) || !topicsRaw.every((t) => typeof t === 'string' && t !== '')) {
    throw new ConfigError(`${path}.consumer_options.topics`, 'a list of topic names', topicsRaw);
  }
  if (topicsRaw.length === 0) throw new ConfigError(`${path}.consumer_options.topics`, 'at least one topic (rr pushes to the first)', topicsRaw);
  if (consumer['consume_partitions'] !== undefined) {
    throw new ConfigError(`${path}.consumer_options.consume_partitions`, 'nothing: explicit partition assignment is not supported by rr yet (use group_options.group_id)', consumer['consume_partitions']);
  }
  const offset = obj(consumer['consumer_offset'], `${path}.consumer_options.consumer_offset`);
  const offType = pipelineConfigReader(offset, `${path}.consumer_options.consumer_offset`).str('type', 'AtStart');
  if (offType !== 'AtStart' && offType !== 'AtEnd') {
    throw new ConfigError(`${path}.consumer_options.consumer_offset.type`, 'AtStart or AtEnd (At, AfterMilli, Relative and WithEpoch are not supported by rr yet)', offType);
  }
  const producerCfg = pipelineConfigReader(producer, `${path}.producer_options`);
  const groupCfg = pipelineConfigReader(group, `${path}.group_options`);
  const acks = producerCfg.str('required_acks', 'AllISRAck');
  if (!(acks in ACKS)) throw new ConfigError(`${path}.producer_options.required_acks`, 'AllISRAck, LeaderAck or NoAck', acks);
  const codec = producerCfg.str('compression_codec', '');
  if (codec !== '' && codec !== 'gzip') throw new ConfigError(`${path}.producer_options.compression_codec`, 'gzip or nothing (snappy, lz4 and zstd need codecs rr does not ship)', codec);
  return {
    priority: int(raw, 'priority', path, 10),
    autoCreateTopics: raw['auto_create_topics_enable'] === true,
    topics: topicsRaw as string[],
    consumeRegexp: consumer['consume_regexp'] === true,
    fromBeginning: offType === 'AtStart',
    groupId: groupCfg.str('group_id', ''),
    sessionTimeoutMs: groupCfg.durationMs('session_timeout', 10_000),
    requiredAcks: ACKS[acks]!,
    requestTimeoutMs: producerCfg.durationMs('request_timeout', 10_000),
    gzip: codec === 'gzip',
    // kafkajs' idempotent producer needs acks=all and one request in flight; off unless asked for.
    idempotent: producer['disable_idempotent'] === false,
    prefetch: int(raw, 'prefetch', path, 100, 1),
  };
}

export function pushTimeoutMs(view: ConfigView): number {
  const v = view.get('jobs.timeout');
  return typeof v === 'number' && v > 0 ? v * 1000 : 60_000;
}

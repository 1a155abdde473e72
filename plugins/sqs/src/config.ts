import { ConfigError, type ConfigView } from '@rr/plugin-api';

type Raw = Readonly<Record<string, unknown>>;

/** The top-level `sqs` section: credentials and endpoint shared by every sqs pipeline. */
export interface SqsGlobalConfig {
  readonly key: string;
  readonly secret: string;
  readonly region: string;
  readonly sessionToken: string;
  /** Empty: the SDK's AWS endpoint for the region. */
  readonly endpoint: string;
}

/** One pipeline's `config` block, with RoadRunner's defaults. */
export interface SqsPipelineConfig {
  readonly queue: string;
  readonly priority: number;
  readonly prefetch: number;
  readonly skipQueueDeclaration: boolean;
  /** Seconds; 0 = the queue's own VisibilityTimeout. */
  readonly visibilityTimeout: number;
  readonly waitTimeSeconds: number;
  readonly messageGroupId: string;
  readonly maxMessagesInFlight: number;
  readonly errorVisibilityTimeout: number;
  readonly retainFailedJobs: boolean;
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** FIFO queue (name ends with `.fifo`): no per-message delay, a group id on every send. */
  readonly fifo: boolean;
}

function str(raw: Raw, key: string, path: string, dflt: string): string {
  const v = raw[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string') throw new ConfigError(`${path}.${key}`, 'a string', v);
  return v;
}

function int(raw: Raw, key: string, path: string, dflt: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = raw[key];
  if (v === undefined || v === null) return dflt;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${path}.${key}`, `an integer from ${min} to ${max}`, v);
  }
  return n;
}

function bool(raw: Raw, key: string, path: string): boolean {
  const v = raw[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new ConfigError(`${path}.${key}`, 'true or false', v);
  return v;
}

function stringMap(raw: Raw, key: string, path: string): Record<string, string> {
  const v = raw[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${path}.${key}`, 'a map of names to values', v);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Raw)) {
    if (typeof val === 'object' && val !== null) out[k] = JSON.stringify(val); // RedrivePolicy may be written as a map
    else out[k] = String(val);
  }
  return out;
}

export function compileSqsGlobal(view: ConfigView): SqsGlobalConfig {
  const raw = (view.get('sqs') ?? {}) as Raw;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('sqs', 'a map with key, secret, region, session_token, endpoint', raw);
  return {
    key: str(raw, 'key', 'sqs', ''),
    secret: str(raw, 'secret', 'sqs', ''),
    region: str(raw, 'region', 'sqs', ''),
    sessionToken: str(raw, 'session_token', 'sqs', ''),
    endpoint: str(raw, 'endpoint', 'sqs', ''),
  };
}

export function compileSqsPipeline(raw: Raw, path: string): SqsPipelineConfig {
  const queue = str(raw, 'queue', path, 'default');
  if (queue === '') throw new ConfigError(`${path}.queue`, 'a queue name', queue);
  const attributes = stringMap(raw, 'attributes', path);
  // RoadRunner honours the FifoQueue attribute as well as the name suffix.
  const fifo = queue.endsWith('.fifo') || attributes['FifoQueue'] === 'true';
  return {
    queue,
    priority: int(raw, 'priority', path, 10),
    prefetch: int(raw, 'prefetch', path, 10, 1),
    skipQueueDeclaration: bool(raw, 'skip_queue_declaration', path),
    visibilityTimeout: int(raw, 'visibility_timeout', path, 0, 0, 43_200),
    waitTimeSeconds: int(raw, 'wait_time_seconds', path, 0, 0, 20),
    messageGroupId: str(raw, 'message_group_id', path, ''),
    maxMessagesInFlight: int(raw, 'max_messages_in_flight', path, 10, 1),
    errorVisibilityTimeout: int(raw, 'error_visibility_timeout', path, 0, 0, 43_200),
    retainFailedJobs: bool(raw, 'retain_failed_jobs', path),
    attributes,
    tags: stringMap(raw, 'tags', path),
    fifo,
  };
}

/** `jobs.timeout` (seconds, default 60) bounds pushes. */
export function pushTimeoutMs(view: ConfigView): number {
  const v = view.get('jobs.timeout');
  return typeof v === 'number' && v > 0 ? v * 1000 : 60_000;
}

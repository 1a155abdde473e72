import { ConfigError, type ConfigView } from '@rr/plugin-api';
import { pipelineConfigReader } from '@rr/jobs-api';

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

// Integers may be written as strings ('' is not one); every range is spelled out in errors, hence the explicit max.
const MAX = Number.MAX_SAFE_INTEGER;

/** Kept local: unlike the shared bool() it takes no 'true'/'false' strings and says 'true or false'. */
function bool(raw: Raw, key: string, path: string): boolean {
  const v = raw[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new ConfigError(`${path}.${key}`, 'true or false', v);
  return v;
}

export function compileSqsGlobal(view: ConfigView): SqsGlobalConfig {
  const raw = (view.get('sqs') ?? {}) as Raw;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('sqs', 'a map with key, secret, region, session_token, endpoint', raw);
  const { str } = pipelineConfigReader(raw, 'sqs');
  return {
    key: str('key', ''),
    secret: str('secret', ''),
    region: str('region', ''),
    sessionToken: str('session_token', ''),
    endpoint: str('endpoint', ''),
  };
}

export function compileSqsPipeline(raw: Raw, path: string): SqsPipelineConfig {
  const { str, int, stringMap } = pipelineConfigReader(raw, path, { acceptStrings: true });
  const queue = str('queue', 'default');
  if (queue === '') throw new ConfigError(`${path}.queue`, 'a queue name', queue);
  const attributes = stringMap('attributes');
  // RoadRunner honours the FifoQueue attribute as well as the name suffix.
  const fifo = queue.endsWith('.fifo') || attributes['FifoQueue'] === 'true';
  return {
    queue,
    priority: int('priority', 10, 0, MAX),
    prefetch: int('prefetch', 10, 1, MAX),
    skipQueueDeclaration: bool(raw, 'skip_queue_declaration', path),
    visibilityTimeout: int('visibility_timeout', 0, 0, 43_200),
    waitTimeSeconds: int('wait_time_seconds', 0, 0, 20),
    messageGroupId: str('message_group_id', ''),
    maxMessagesInFlight: int('max_messages_in_flight', 10, 1, MAX),
    errorVisibilityTimeout: int('error_visibility_timeout', 0, 0, 43_200),
    retainFailedJobs: bool(raw, 'retain_failed_jobs', path),
    attributes,
    tags: stringMap('tags'),
    fifo,
  };
}

/** `jobs.timeout` (seconds, default 60) bounds pushes. */
export function pushTimeoutMs(view: ConfigView): number {
  const v = view.get('jobs.timeout');
  return typeof v === 'number' && v > 0 ? v * 1000 : 60_000;
}

import { ConfigError, parseDuration, type ConfigView } from '@rr/plugin-api';
import { pipelineConfigReader } from '@rr/jobs-api';

type Raw = Readonly<Record<string, unknown>>;

export interface BeanstalkGlobalConfig {
  readonly host: string;
  readonly port: number;
  readonly addr: string;
  /** `beanstalk.timeout`: connect timeout, and the TTR of every job rr puts. */
  readonly timeoutMs: number;
}

export interface BeanstalkPipelineConfig {
  readonly tube: string;
  readonly priority: number;
  /** beanstalkd's own job priority for every put (lower is more urgent). */
  readonly tubePriority: number;
  readonly reserveTimeoutS: number;
  /** rr extension: at most this many reserved, unsettled jobs at once. */
  readonly prefetch: number;
}

export function compileBeanstalkGlobal(view: ConfigView): BeanstalkGlobalConfig {
  const raw = (view.get('beanstalk') ?? {}) as Raw;
  const addr = raw['addr'] ?? 'tcp://127.0.0.1:11300';
  const m = typeof addr === 'string' ? /^(?:tcp:\/\/)?\[?([^\]]+?)\]?:(\d+)$/.exec(addr) : null;
  if (!m) throw new ConfigError('beanstalk.addr', 'tcp://host:port', addr);
  const timeoutMs = raw['timeout'] === undefined || raw['timeout'] === null ? 30_000 : parseDuration(raw['timeout'], 'beanstalk.timeout');
  if (timeoutMs < 1000) throw new ConfigError('beanstalk.timeout', 'a duration of at least 1s (it is the job TTR)', raw['timeout']);
  return { host: m[1]!, port: Number(m[2]), addr: addr as string, timeoutMs };
}

export function compileBeanstalkPipeline(raw: Raw, path: string): BeanstalkPipelineConfig {
  const tube = raw['tube'] ?? 'default';
  if (typeof tube !== 'string' || !/^[A-Za-z0-9+/;.$_()][A-Za-z0-9\-+/;.$_()]{0,199}$/.test(tube)) {
    throw new ConfigError(`${path}.tube`, 'a beanstalkd tube name (letters, digits, - + / ; . $ _ ( ), up to 200, not starting with -)', tube);
  }
  const rt = raw['reserve_timeout'];
  const reserveMs = rt === undefined || rt === null ? 5_000 : parseDuration(rt, `${path}.reserve_timeout`);
  if (reserveMs < 0) throw new ConfigError(`${path}.reserve_timeout`, 'a positive duration', rt);
  // Strict reader: integers must be numbers, not numeric strings.
  const { int } = pipelineConfigReader(raw, path);
  return {
    tube,
    priority: int('priority', 10, 0, Number.MAX_SAFE_INTEGER),
    tubePriority: int('tube_priority', 1, 0, 2 ** 32 - 1),
    reserveTimeoutS: Math.ceil(reserveMs / 1000),
    prefetch: int('prefetch', 10, 1, 10_000),
  };
}

export function pushTimeoutMs(view: ConfigView): number {
  const v = view.get('jobs.timeout');
  return typeof v === 'number' && v > 0 ? v * 1000 : 60_000;
}

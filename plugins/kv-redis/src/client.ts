import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { ConfigError, parseDuration } from '@rr/plugin-api';

// ioredis is loaded on the first client, not on import: rr without a redis section never pays for it.
// A synchronous require keeps createRedisClient synchronous (ioredis is CommonJS, the same instance
// an `import` would give).
const requireLib = createRequire(import.meta.url);
let ioredisLib: typeof import('ioredis') | undefined;
function ioredis(): typeof import('ioredis') {
  return (ioredisLib ??= requireLib('ioredis') as typeof import('ioredis'));
}

/** RoadRunner's redis keys (go-redis UniversalOptions), compiled. */
export interface RedisConfig {
  readonly addrs: readonly string[];
  readonly masterName: string;
  readonly username: string;
  readonly password: string;
  readonly sentinelPassword: string;
  readonly db: number;
  readonly dialTimeoutMs: number | undefined;
  readonly readTimeoutMs: number | undefined;
  readonly maxRetries: number | undefined;
  readonly minRetryBackoffMs: number | undefined;
  readonly maxRetryBackoffMs: number | undefined;
  /** Cluster reads may go to replicas (route_by_latency / route_randomly / read_only). */
  readonly readFromReplicas: boolean;
  readonly tls: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer } | undefined;
  /** rr extension: every key is stored under this prefix, and Clear removes only prefixed keys. */
  readonly prefix: string;
}

type Raw = Readonly<Record<string, unknown>>;

function str(raw: Raw, key: string, path: string, dflt = ''): string {
  const v = raw[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string') throw new ConfigError(`${path}.${key}`, 'a string', v);
  return v;
}

function int(raw: Raw, key: string, path: string): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(`${path}.${key}`, 'an integer', v);
  return v;
}

function dur(raw: Raw, key: string, path: string): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === 0 || v === '') return undefined;
  const ms = parseDuration(v, `${path}.${key}`);
  if (ms < 0) throw new ConfigError(`${path}.${key}`, 'a positive duration', v);
  return ms;
}

/** Reads the redis keys of a kv storage's config, the top-level `redis:` section or `lock.config`. */
export function compileRedisConfig(raw: Raw, path: string, workDir: string): RedisConfig {
  const addrsRaw = raw['addrs'] ?? ['127.0.0.1:6379'];
  const addrs = typeof addrsRaw === 'string' ? addrsRaw.split(',').map((a) => a.trim()).filter(Boolean) : addrsRaw;
  if (!Array.isArray(addrs) || addrs.length === 0 || !addrs.every((a) => typeof a === 'string' && /^.+:\d+$/.test(a))) {
    throw new ConfigError(`${path}.addrs`, 'a list of host:port addresses such as ["127.0.0.1:6379"]', addrsRaw);
  }
  const db = int(raw, 'db', path) ?? 0;
  const masterName = str(raw, 'master_name', path);
  if (db !== 0 && masterName === '' && addrs.length > 1) {
    throw new ConfigError(`${path}.db`, '0 for a cluster (two or more addrs without master_name): Redis Cluster has only database 0', db);
  }
  let tls: RedisConfig['tls'];
  const tlsRaw = raw['tls'];
  if (tlsRaw !== undefined && tlsRaw !== null) {
    if (typeof tlsRaw !== 'object') throw new ConfigError(`${path}.tls`, 'an object with root_ca, cert, key', tlsRaw);
    const t = tlsRaw as Raw;
    const file = (key: string): Buffer | undefined => {
      const f = str(t, key, `${path}.tls`);
      if (f === '') return undefined;
      try {
        return readFileSync(isAbsolute(f) ? f : resolve(workDir, f));
      } catch (err) {
        throw new ConfigError(`${path}.tls.${key}`, `a readable PEM file (${(err as Error).message})`, f);
      }
    };
    tls = { ca: file('root_ca'), cert: file('cert'), key: file('key') };
  }
  return {
    addrs: addrs as string[],
    masterName,
    username: str(raw, 'username', path),
    password: str(raw, 'password', path),
    sentinelPassword: str(raw, 'sentinel_password', path),
    db,
    dialTimeoutMs: dur(raw, 'dial_timeout', path),
    readTimeoutMs: dur(raw, 'read_timeout', path),
    maxRetries: int(raw, 'max_retries', path),
    minRetryBackoffMs: dur(raw, 'min_retry_backoff', path),
    maxRetryBackoffMs: dur(raw, 'max_retry_backoff', path),
    readFromReplicas: raw['route_by_latency'] === true || raw['route_randomly'] === true || raw['read_only'] === true,
    tls,
    prefix: str(raw, 'prefix', path),
  };
}

function hostPort(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(addr.slice(i + 1)) };
}

/**
 * go-redis's UniversalClient choice: master_name → sentinel failover client, one address → single
 * client, two or more → cluster. The client connects lazily; call `ping` to fail fast.
 */
export function createRedisClient(cfg: RedisConfig): Redis | Cluster {
  const retry = (times: number): number | null => {
    if (cfg.maxRetries !== undefined && cfg.maxRetries >= 0 && times > Math.max(cfg.maxRetries, 1) * 10) return null;
    const min = cfg.minRetryBackoffMs ?? 8;
    const max = cfg.maxRetryBackoffMs ?? 512;
    return Math.min(max, min * 2 ** Math.min(times, 10));
  };
  const common: RedisOptions = {
    username: cfg.username === '' ? undefined : cfg.username,
    password: cfg.password === '' ? undefined : cfg.password,
    db: cfg.db,
    connectTimeout: cfg.dialTimeoutMs ?? 5000,
    commandTimeout: cfg.readTimeoutMs,
    maxRetriesPerRequest: cfg.maxRetries === undefined || cfg.maxRetries < 0 ? 3 : cfg.maxRetries,
    retryStrategy: retry,
    lazyConnect: true,
    tls: cfg.tls === undefined ? undefined : { ...cfg.tls },
  };
  const { Redis, Cluster } = ioredis();
  if (cfg.masterName !== '') {
    return new Redis({
      ...common,
      sentinels: cfg.addrs.map(hostPort),
      name: cfg.masterName,
      sentinelPassword: cfg.sentinelPassword === '' ? undefined : cfg.sentinelPassword,
    });
  }
  if (cfg.addrs.length > 1) {
    const options: ClusterOptions = {
      redisOptions: { ...common, db: 0 },
      scaleReads: cfg.readFromReplicas ? 'all' : 'master',
      clusterRetryStrategy: retry,
      lazyConnect: true,
    };
    return new Cluster(cfg.addrs.map(hostPort), options);
  }
  return new Redis({ ...common, ...hostPort(cfg.addrs[0]!) });
}

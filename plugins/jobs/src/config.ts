import { cpus } from 'node:os';
import { ConfigError } from '@rr/plugin-api';
import type { PipelineSpec } from '@rr/jobs-api';
import { compilePoolConfig, type PoolConfig } from '@rr/pool-api';

/** The `jobs` section, compiled. */
export interface JobsConfig {
  /** Push timeout (`timeout`, seconds) in milliseconds. */
  readonly pushTimeoutMs: number;
  /** Capacity of the local priority queue (`pipeline_size`). */
  readonly pipelineSize: number;
  readonly consume: readonly string[];
  readonly pool: PoolConfig;
  readonly pipelines: readonly PipelineSpec[];
}

type Raw = Record<string, unknown>;

export function compileJobsConfig(raw: unknown): JobsConfig {
  const r = (raw ?? {}) as Raw;
  const pipelines: PipelineSpec[] = [];
  for (const [name, value] of Object.entries((r['pipelines'] ?? {}) as Raw)) {
    const p = value as Raw;
    if (typeof p['driver'] !== 'string' || p['driver'] === '') throw new ConfigError(`pipelines.${name}.driver`, 'a driver name (memory, boltdb, amqp, …)', p['driver']);
    pipelines.push({ name, driver: p['driver'], config: { ...((p['config'] ?? {}) as Raw) } });
  }
  const consume = ((r['consume'] ?? []) as unknown[]).map(String);
  for (const [i, name] of consume.entries()) {
    if (!pipelines.some((p) => p.name === name)) {
      throw new ConfigError(`consume[${i}]`, `the name of a pipeline under jobs.pipelines (${pipelines.map((p) => p.name).join(', ') || 'none declared'})`, name);
    }
  }
  const timeout = Number(r['timeout'] ?? 60) || 60;
  const size = Number(r['pipeline_size'] ?? 1_000_000) || 1_000_000;
  return {
    pushTimeoutMs: timeout * 1000,
    pipelineSize: size,
    consume,
    pool: compilePoolConfig(r['pool'], 'jobs.pool', cpus().length),
    pipelines,
  };
}

/** The pipeline priority a job with priority 0 inherits (`config.priority`, default 10). */
export function pipelinePriority(spec: PipelineSpec): number {
  const n = Number(spec.config['priority'] ?? 10);
  return Number.isFinite(n) && n > 0 ? n : 10;
}

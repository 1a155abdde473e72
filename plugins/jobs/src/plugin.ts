import { readFileSync } from 'node:fs';
import { jobsDriversToken, type JobsDriver } from '@rr/jobs-api';
import { definePlugin } from '@rr/plugin-api';
import { poolConfigSchema, poolFactoryToken, type Pool } from '@rr/pool-api';
import { informerSourcesToken, resetterTargetsToken, rpcServicesToken } from '@rr/rpc-api';
import { jobsStateSourcesToken } from '@rr/status-api';
import { compileJobsConfig, type JobsConfig } from './config.js';
import { JobsEngine } from './engine.js';
import { JobsErrorCodes, jobsError } from './errors.js';
import { jobsService } from './service.js';

const schema = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as { properties: Record<string, unknown> };
// The pool block is owned by @rr/pool-api (schema.json keeps a placeholder for the stitched schema).
schema.properties['pool'] = poolConfigSchema;

/**
 * RoadRunner's `jobs`: opens every pipeline of `jobs.pipelines` on its driver (drivers are plugins
 * contributing to `jobsDriversToken`), consumes those listed in `consume` through a local priority
 * queue into a pool of PHP workers (RR_MODE=jobs), and serves the jobs.* RPC methods.
 */
export const jobsPlugin = definePlugin({
  name: 'jobs',
  kernel: '^0.1.0',
  description: 'queue pipelines (memory, boltdb, amqp, …) consumed by PHP workers; jobs.* RPC',
  deps: { pools: poolFactoryToken },
  collects: [jobsDriversToken],
  contributes: [rpcServicesToken, informerSourcesToken, resetterTargetsToken, jobsStateSourcesToken],
  config: { schema, compile: (raw): JobsConfig => compileJobsConfig(raw) },
  init(ctx) {
    const cfg = ctx.config;
    const log = ctx.logger;
    let engine: JobsEngine | undefined;
    let pool: Pool | undefined;
    const destroyDeadline = (): AbortSignal => AbortSignal.timeout(cfg.pool.destroyTimeoutMs);

    ctx.contribute(rpcServicesToken, jobsService(() => engine, destroyDeadline));
    ctx.contribute(informerSourcesToken, { plugin: 'jobs', workers: () => pool?.workers() ?? [] });
    ctx.contribute(resetterTargetsToken, {
      plugin: 'jobs',
      async reset() {
        log.info('reset signal was received');
        if (pool !== undefined) await pool.reset();
        log.info('plugin was successfully reset');
      },
    });
    ctx.contribute(jobsStateSourcesToken, {
      plugin: 'jobs',
      async jobsState() {
        return (await engine?.states() ?? []).map((s) => ({
          pipeline: s.pipeline, priority: s.priority, ready: s.ready, queue: s.queue, active: s.active,
          delayed: s.delayed, reserved: s.reserved, driver: s.driver, error_message: s.errorMessage ?? '',
        }));
      },
    });

    return {
      async serve() {
        const drivers = new Map<string, JobsDriver>(ctx.collected(jobsDriversToken).map((c) => [c.value.name, c.value]));
        const en = new JobsEngine({
          logger: log,
          drivers,
          openContext: (driver) => ({ logger: ctx.loggers.named(driver), rootConfig: ctx.rootConfig }),
          pushTimeoutMs: cfg.pushTimeoutMs,
          pipelineSize: cfg.pipelineSize,
        });
        for (const spec of cfg.pipelines) {
          try {
            await en.declare(spec);
          } catch (err) {
            await en.close(AbortSignal.timeout(5_000));
            if ((err as { code?: string }).code === JobsErrorCodes.NO_DRIVER) throw err;
            throw jobsError(JobsErrorCodes.PIPELINE_OPEN, `jobs: pipeline "${spec.name}" (driver ${spec.driver}) could not be opened: ${(err as Error).message ?? String(err)}; check jobs.pipelines.${spec.name}.config and that the broker is reachable`, err);
          }
        }
        pool = await ctx.deps.pools.create({ name: 'jobs', mode: 'jobs', config: cfg.pool });
        // One job per worker, plus one more waiting in the pool per worker so that a worker's next job
        // is there when it answers (bench/jobs). Those are withdrawn on pause/destroy/stop. Not in
        // debug mode, where the pool starts a fresh worker per request instead of queueing it.
        en.attach(pool, cfg.pool.numWorkers + (cfg.pool.dynamicAllocator?.maxWorkers ?? 0), cfg.pool.debug ? 0 : cfg.pool.numWorkers);
        engine = en;
        for (const name of cfg.consume) await en.resume(name);
      },
      async drain(signal) {
        await engine?.drain(signal);
      },
      async stop(signal) {
        const en = engine;
        if (en !== undefined) await en.close(signal);
        engine = undefined;
        if (pool !== undefined) await pool.destroy(signal);
      },
    };
  },
});

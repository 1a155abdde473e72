import type { JobsDriver, Pipeline, PipelineContext, PipelineSpec } from '@rr/jobs-api';
import { RrError } from '@rr/plugin-api';
import { compileAmqpPipelineConfig, redactAddr, type AmqpGlobalConfig } from './config.js';
import { AmqpErrorCodes } from './errors.js';
import { AmqpPipeline } from './pipeline.js';

/** `jobs.timeout` in ms (RoadRunner: push and redial calls, default 60 s). */
export function jobsTimeoutMs(ctx: PipelineContext): number {
  const v = ctx.rootConfig.get('jobs.timeout');
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n * 1000 : 60_000;
}

/** The `amqp` jobs driver for the given top-level `amqp:` section. */
export function createAmqpDriver(global: AmqpGlobalConfig, name = 'amqp'): JobsDriver {
  return {
    name,
    async open(spec: PipelineSpec, ctx: PipelineContext): Promise<Pipeline> {
      const config = compileAmqpPipelineConfig(spec.config, `jobs.pipelines.${spec.name}.config`);
      // amqplib is loaded by the first amqp pipeline, not when rr starts.
      const mod = (await import('amqplib')) as typeof import('amqplib') & { default?: typeof import('amqplib') };
      const lib = mod.default ?? mod;
      // noDelay: a publish waits for its confirm; with Nagle on, each one stalls on the peer's delayed ACK (~40 ms).
      const socketOptions: Record<string, unknown> = { timeout: global.connectTimeoutMs, noDelay: true };
      if (global.tls) Object.assign(socketOptions, global.tls.ca ? { ca: [global.tls.ca] } : {}, global.tls.cert ? { cert: global.tls.cert } : {}, global.tls.key ? { key: global.tls.key } : {});
      const pipeline = new AmqpPipeline({
        lib,
        name: spec.name,
        driver: name,
        url: global.addr,
        socketOptions,
        config,
        logger: ctx.logger,
        pushTimeoutMs: jobsTimeoutMs(ctx),
      });
      try {
        await pipeline.start();
      } catch (err) {
        throw new RrError(
          AmqpErrorCodes.OPEN,
          `amqp pipeline "${spec.name}": could not connect to RabbitMQ at ${redactAddr(global.addr)} and declare queue "${config.queue}" ` +
            `(exchange "${config.exchange}"): ${(err as Error).message}; start RabbitMQ, fix amqp.addr, or make the pipeline's queue options match the existing queue`,
          { cause: err },
        );
      }
      ctx.logger.debug('amqp pipeline opened', { pipeline: spec.name, queue: config.queue, exchange: config.exchange });
      return pipeline;
    },
  };
}

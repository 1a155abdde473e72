import type { JobsDriver, Pipeline, PipelineContext, PipelineSpec } from '@rr/jobs-api';
import { RrError } from '@rr/plugin-api';
import { compileNatsPipelineConfig, redactServer, type NatsGlobalConfig } from './config.js';
import { NatsErrorCodes } from './errors.js';
import { NatsPipeline } from './pipeline.js';

function jobsTimeoutMs(ctx: PipelineContext): number {
  const v = ctx.rootConfig.get('jobs.timeout');
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n * 1000 : 60_000;
}

/** The `nats` (JetStream) jobs driver for the given top-level `nats:` section. */
export function createNatsDriver(global: NatsGlobalConfig, name = 'nats'): JobsDriver {
  return {
    name,
    async open(spec: PipelineSpec, ctx: PipelineContext): Promise<Pipeline> {
      const config = compileNatsPipelineConfig(spec.config, `jobs.pipelines.${spec.name}.config`, spec.name);
      // The nats client is loaded by the first nats pipeline, not when rr starts.
      const lib = await import('nats');
      const where = global.servers.map(redactServer).join(',');
      let nc;
      try {
        nc = await lib.connect({
          servers: [...global.servers],
          name: `rr-${spec.name}`,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 250,
          reconnectJitter: 100,
          pingInterval: global.pingIntervalMs,
          maxPingOut: 2,
          timeout: global.connectTimeoutMs,
        });
      } catch (err) {
        throw new RrError(NatsErrorCodes.OPEN, `nats pipeline "${spec.name}": could not connect to NATS at ${where}: ${(err as Error).message}; start nats-server with -js or fix nats.addr`, { cause: err });
      }
      void (async () => {
        for await (const s of nc.status()) {
          if (s.type === 'disconnect') ctx.logger.warn('nats connection lost, reconnecting', { pipeline: spec.name, server: String(s.data) });
          else if (s.type === 'reconnect') ctx.logger.info('nats connection restored', { pipeline: spec.name, server: String(s.data) });
          else if (s.type === 'error') ctx.logger.error('nats connection error', { pipeline: spec.name, error: String(s.data) });
        }
      })().catch(() => undefined);
      try {
        const jsm = await nc.jetstreamManager({ timeout: 5_000 });
        const pipeline = new NatsPipeline({ lib, nc, jsm, js: nc.jetstream(), name: spec.name, driver: name, config, logger: ctx.logger, pushTimeoutMs: jobsTimeoutMs(ctx) });
        await pipeline.declare();
        ctx.logger.debug('nats pipeline opened', { pipeline: spec.name, stream: config.stream, subject: config.subject, consumer: config.consumer });
        return pipeline;
      } catch (err) {
        await nc.close().catch(() => undefined);
        throw new RrError(
          NatsErrorCodes.OPEN,
          `nats pipeline "${spec.name}": could not set up stream "${config.stream}" (subject "${config.subject}") and consumer "${config.consumer}" at ${where}: ${(err as Error).message}; ` +
            'check that JetStream is enabled (nats-server -js) and that no other stream already takes the subject',
          { cause: err },
        );
      }
    },
  };
}

import { describe, expect, it } from 'vitest';
import { compileAmqpGlobalConfig, compileAmqpPipelineConfig, redactAddr } from './config.js';

describe('amqp config', () => {
  it('fills RoadRunner defaults for a pipeline', () => {
    const c = compileAmqpPipelineConfig({}, 'jobs.pipelines.p.config');
    expect(c).toMatchObject({
      prefetch: 10, priority: 10, queue: 'default', exchange: 'amqp.default', exchangeType: 'direct', routingKey: '',
      durable: false, exchangeDurable: false, exchangeAutoDelete: false, queueAutoDelete: false, deleteQueueOnStop: false,
      redialTimeoutS: 60, exclusive: false, multipleAck: false, requeueOnFail: false, queueHeaders: {},
    });
    expect(c.consumerId).toMatch(/^roadrunner-[0-9a-f-]{36}$/);
  });

  it('accepts jobs.Declare string values and rejects wrong ones with the key path', () => {
    const c = compileAmqpPipelineConfig({ prefetch: '5', durable: 'true', queue_headers: '{"x-max-priority":10}' }, 'p');
    expect(c).toMatchObject({ prefetch: 5, durable: true, queueHeaders: { 'x-max-priority': 10 } });
    expect(() => compileAmqpPipelineConfig({ prefetch: 0 }, 'jobs.pipelines.x.config')).toThrow(/jobs\.pipelines\.x\.config\.prefetch/);
    expect(() => compileAmqpPipelineConfig({ exchange_type: 'weird' }, 'p')).toThrow(/exchange_type/);
    expect(() => compileAmqpPipelineConfig({ durable: 'yes' }, 'p')).toThrow(/p\.durable: expected a boolean/);
  });

  it('global section: default addr with a 10 s heartbeat added, kept when given; bad URLs refused; password masked in logs', () => {
    expect(compileAmqpGlobalConfig(undefined, '/').addr).toBe('amqp://guest:guest@127.0.0.1:5672?heartbeat=10');
    expect(compileAmqpGlobalConfig({ addr: 'amqp://u:p@h:1/v?heartbeat=3' }, '/').addr).toBe('amqp://u:p@h:1/v?heartbeat=3');
    expect(compileAmqpGlobalConfig({ connect_timeout: '250ms' }, '/').connectTimeoutMs).toBe(250);
    expect(() => compileAmqpGlobalConfig({ addr: 'http://x' }, '/')).toThrow(/amqp\.addr/);
    expect(() => compileAmqpGlobalConfig({ tls: { root_ca: 'missing.pem' } }, '/nonexistent')).toThrow(/amqp\.tls\.root_ca/);
    expect(redactAddr('amqp://guest:secret@h:5672')).toBe('amqp://guest:***@h:5672');
  });
});

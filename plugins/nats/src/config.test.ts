import { describe, expect, it } from 'vitest';
import { compileNatsGlobalConfig, compileNatsPipelineConfig } from './config.js';

describe('nats config', () => {
  it('fills RoadRunner defaults plus rr extensions', () => {
    expect(compileNatsPipelineConfig({}, 'p', 'emails')).toEqual({
      priority: 10, prefetch: 10, subject: 'default', stream: 'default-stream', deliverNew: false, rateLimit: 1000,
      deleteStreamOnStop: false, deleteAfterAck: false, ackWaitMs: 30_000, maxDeliver: 0, consumer: 'rr_emails',
    });
  });

  it('accepts jobs.Declare strings, sanitises the default consumer name, rejects bad values with the key path', () => {
    expect(compileNatsPipelineConfig({ prefetch: '3', deliver_new: 'true', ack_wait: '2s', max_deliver: 5 }, 'p', 'a.b c')).toMatchObject({
      prefetch: 3, deliverNew: true, ackWaitMs: 2000, maxDeliver: 5, consumer: 'rr_a_b_c',
    });
    expect(() => compileNatsPipelineConfig({ stream: 'a.b' }, 'jobs.pipelines.x.config', 'x')).toThrow(/jobs\.pipelines\.x\.config\.stream/);
    expect(() => compileNatsPipelineConfig({ prefetch: 0 }, 'p', 'x')).toThrow(/p\.prefetch/);
    expect(() => compileNatsPipelineConfig({ ack_wait: 'soon' }, 'p', 'x')).toThrow(/p\.ack_wait/);
  });

  it('global section: default addr, lists, bad URLs refused', () => {
    expect(compileNatsGlobalConfig(undefined)).toEqual({ servers: ['nats://127.0.0.1:4222'], pingIntervalMs: 10_000, connectTimeoutMs: 5_000 });
    expect(compileNatsGlobalConfig({ addr: 'nats://a:1, nats://b:2', ping_interval: '1s' })).toMatchObject({ servers: ['nats://a:1', 'nats://b:2'], pingIntervalMs: 1000 });
    expect(() => compileNatsGlobalConfig({ addr: 'http://x' })).toThrow(/nats\.addr/);
  });
});

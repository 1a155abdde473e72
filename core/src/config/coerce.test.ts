import { GO_DURATION_PATTERN } from '@rr/plugin-api';
import { describe, expect, it } from 'vitest';
import { coerceBySchema } from './coerce.js';

const duration = { type: ['string', 'integer'], pattern: GO_DURATION_PATTERN };

const httpSchema = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    address: { type: 'string' },
    middleware: { type: 'array', items: { type: 'string' } },
    max_request_size: { type: 'integer' },
    ratio: { type: 'number' },
    debug: { type: 'boolean' },
    timeout: duration,
    pool: { $ref: '#/$defs/pool' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    serve: { type: 'array', items: { type: 'object', properties: { prefix: { type: 'string' }, gzip: { type: 'boolean' } } } },
    command: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  },
  $defs: {
    pool: {
      type: 'object',
      properties: { num_workers: { type: 'integer' }, supervisor: { type: 'object', properties: { max_worker_memory: { type: 'integer' } } } },
    },
  },
};

describe('coerceBySchema (RoadRunner weak typing)', () => {
  it('turns -o strings into the types the schema asks for', () => {
    const raw = {
      address: 8080,
      middleware: 'static,headers',
      max_request_size: '100',
      ratio: '0.5',
      debug: 'true',
      timeout: '30s',
      pool: { num_workers: '4', supervisor: { max_worker_memory: '128' } },
    };
    expect(coerceBySchema(httpSchema, raw)).toEqual({
      address: '8080',
      middleware: ['static', 'headers'],
      max_request_size: 100,
      ratio: 0.5,
      debug: true,
      timeout: '30s',
      pool: { num_workers: 4, supervisor: { max_worker_memory: 128 } },
    });
  });

  it.each([
    ['stdout', ['stdout']],
    ['', []],
    ['a, b', ['a', ' b']],
    [5, ['5']],
  ])('string/scalar → list: %j → %j', (input, out) => {
    expect(coerceBySchema(httpSchema, { middleware: input })).toEqual({ middleware: out });
  });

  it.each([
    ['true', true], ['false', false], ['1', true], ['0', false], ['T', true], ['FALSE', false], ['', false], [1, true], [0, false],
  ])('boolean: %j → %j', (input, out) => {
    expect(coerceBySchema(httpSchema, { debug: input })).toEqual({ debug: out });
  });

  it('keeps durations as given: a string stays a string, an integer stays an integer', () => {
    expect(coerceBySchema(httpSchema, { timeout: '1m' })).toEqual({ timeout: '1m' });
    expect(coerceBySchema(httpSchema, { timeout: 60_000_000_000 })).toEqual({ timeout: 60_000_000_000 });
    // "60" stays a string so that validation can report the missing unit, as RoadRunner does.
    expect(coerceBySchema(httpSchema, { timeout: '60' })).toEqual({ timeout: '60' });
  });

  it('booleans become "1"/"0" where a string is expected, integers accept booleans', () => {
    expect(coerceBySchema(httpSchema, { address: true, max_request_size: false })).toEqual({ address: '1', max_request_size: 0 });
  });

  it('leaves what it cannot convert, for validation to report', () => {
    expect(coerceBySchema(httpSchema, { max_request_size: 'lots', debug: 'maybe', ratio: '1.2.3' }))
      .toEqual({ max_request_size: 'lots', debug: 'maybe', ratio: '1.2.3' });
  });

  it('follows additionalProperties, items of objects, anyOf branches and $ref', () => {
    const raw = { headers: { x: 1 }, serve: [{ prefix: 7, gzip: 'true' }], command: 'php worker.php', pool: { num_workers: '2' } };
    expect(coerceBySchema(httpSchema, raw)).toEqual({
      headers: { x: '1' }, serve: [{ prefix: '7', gzip: true }], command: 'php worker.php', pool: { num_workers: 2 },
    });
    expect(coerceBySchema(httpSchema, { command: ['php', 5] })).toEqual({ command: ['php', '5'] });
  });

  it('keeps unknown keys untouched (validation decides about them)', () => {
    expect(coerceBySchema(httpSchema, { nope: '1', address: 'x' })).toEqual({ nope: '1', address: 'x' });
  });

  it('null: a section or map becomes {}, a scalar key is dropped (the default applies)', () => {
    expect(coerceBySchema(httpSchema, null)).toEqual({});
    expect(coerceBySchema(httpSchema, { pool: null, address: null, middleware: null })).toEqual({ pool: {} });
  });

  it('does not modify its input', () => {
    const raw = { pool: { num_workers: '4' }, middleware: 'a,b', headers: { deep: { x: 1 } } };
    const copy = structuredClone(raw);
    const out = coerceBySchema(httpSchema, raw) as Record<string, unknown>;
    expect(raw).toEqual(copy);
    (out['headers'] as Record<string, unknown>)['added'] = 1;
    expect(raw.headers).toEqual(copy.headers);
  });

  it('handles oneOf duration schemas written by hand, and allOf', () => {
    const schema = {
      type: 'object',
      properties: {
        ttl: { oneOf: [{ type: 'string', pattern: '^([0-9]+(ns|us|µs|ms|s|m|h))+$' }, { type: 'integer', minimum: 0 }] },
        size: { allOf: [{ type: 'integer' }, { minimum: 1 }] },
      },
    };
    expect(coerceBySchema(schema, { ttl: '5s', size: '3' })).toEqual({ ttl: '5s', size: 3 });
    expect(coerceBySchema(schema, { ttl: 5 })).toEqual({ ttl: 5 });
  });
});

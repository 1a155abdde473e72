import { GO_DURATION_PATTERN } from '@rr/plugin-api';
import { describe, expect, it } from 'vitest';
import { formatConfigProblems } from './problem.js';
import { coerceAndValidate, validateSection } from './validate.js';

const FILE = '/app/.rr.yaml';

const httpSchema = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  type: 'object',
  additionalProperties: false,
  required: ['address'],
  properties: {
    address: { type: 'string', description: 'host:port', default: '127.0.0.1:8080' },
    middleware: { type: 'array', items: { type: 'string', enum: ['static', 'headers', 'gzip'] } },
    max_request_size: { type: 'integer', minimum: 0 },
    debug: { type: 'boolean' },
    timeout: { type: ['string', 'integer'], pattern: GO_DURATION_PATTERN },
    mode: { type: 'string', enum: ['fast', 'safe'] },
    pool: {
      type: 'object',
      additionalProperties: false,
      properties: {
        num_workers: { type: 'integer', minimum: 0, maximum: 500 },
        ttl: { oneOf: [{ type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$' }, { type: 'integer', minimum: 0 }] },
      },
    },
  },
};

function check(value: unknown) {
  return validateSection({ section: 'http', schema: httpSchema, value, file: FILE });
}

describe('validateSection', () => {
  it('accepts a valid section, after weak typing of -o strings', () => {
    expect(check({ address: ':8080', middleware: 'static,gzip', max_request_size: '100', debug: '1', timeout: '30s', pool: { num_workers: '4', ttl: '1m' } })).toEqual([]);
    expect(check({ address: ':8080', timeout: 5_000_000_000, pool: { ttl: 0 } })).toEqual([]);
  });

  it('reports every problem at once, each with file, dotted path, found and expected', () => {
    const problems = check({
      address: ':8080',
      max_request_size: 'lots',
      debug: 'maybe',
      timeout: '60',
      mode: 'turbo',
      middleware: 'static,zip',
      adress: 'typo',
      pool: { num_workers: 700, ttl: { h: 1 }, extra: 1 },
    });
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(Object.keys(byPath).sort()).toEqual([
      'http.adress', 'http.debug', 'http.max_request_size', 'http.middleware.1', 'http.mode', 'http.pool.extra',
      'http.pool.num_workers', 'http.pool.ttl', 'http.timeout',
    ]);
    expect(byPath['http.max_request_size']).toMatchObject({ file: FILE, found: 'lots', expected: 'an integer' });
    expect(byPath['http.debug']).toMatchObject({ found: 'maybe', expected: 'a boolean (true or false)' });
    expect(byPath['http.timeout']).toMatchObject({ found: '60', expected: 'a Go duration like "30s"' });
    expect(byPath['http.mode']).toMatchObject({ found: 'turbo', expected: 'one of: fast, safe' });
    expect(byPath['http.middleware.1']).toMatchObject({ found: 'zip', expected: 'one of: static, headers, gzip' });
    expect(byPath['http.adress']).toMatchObject({
      found: 'typo',
      expected: 'no such key (allowed: address, debug, max_request_size, middleware, mode, pool, timeout)',
    });
    expect(byPath['http.pool.extra']).toMatchObject({ found: 1, expected: 'no such key (allowed: num_workers, ttl)' });
    expect(byPath['http.pool.num_workers']).toMatchObject({ found: 700, expected: 'an integer <= 500' });
    expect(byPath['http.pool.ttl']).toMatchObject({ found: { h: 1 }, expected: 'a Go duration like "30s"' });
    expect(byPath['http.pool.num_workers']?.message).toBe('/app/.rr.yaml: http.pool.num_workers: found 700, expected an integer <= 500');
  });

  it('picks the branch of a oneOf that has the right type', () => {
    const [problem] = check({ address: 'x', pool: { ttl: -5 } });
    expect(problem).toMatchObject({ path: 'http.pool.ttl', found: -5, expected: 'an integer >= 0' });
  });

  it('reports a missing required key as found nothing', () => {
    const problems = check({});
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toBe('/app/.rr.yaml: http.address: found nothing, expected a value (this key is required)');
  });

  it('reports a section of the wrong type at the section path', () => {
    expect(check('oops')).toEqual([expect.objectContaining({ path: 'http', found: 'oops', expected: 'a map' })]);
  });

  it('formats problems one per line', () => {
    const text = formatConfigProblems(check({ address: 1, mode: 'x', pool: { num_workers: 'many' } }));
    expect(text.split('\n')).toEqual([
      '/app/.rr.yaml: http.mode: found "x", expected one of: fast, safe',
      '/app/.rr.yaml: http.pool.num_workers: found "many", expected an integer',
    ]);
  });

  it('returns the coerced value without changing the input', () => {
    const raw = { address: 80, pool: { num_workers: '2' } };
    const { value, problems } = coerceAndValidate({ section: 'http', schema: httpSchema, value: raw, file: FILE });
    expect(problems).toEqual([]);
    expect(value).toEqual({ address: '80', pool: { num_workers: 2 } });
    expect(raw).toEqual({ address: 80, pool: { num_workers: '2' } });
  });

  it('accepts draft-07 schemas and schemas sharing an $id', () => {
    const a = { $schema: 'http://json-schema.org/draft-07/schema#', $id: 'urn:test:x', type: 'object', properties: { n: { type: 'integer' } } };
    const b = { ...a, properties: { n: { type: 'string', enum: ['only'] } } };
    expect(validateSection({ section: 'x', schema: a, value: { n: '3' }, file: FILE })).toEqual([]);
    expect(validateSection({ section: 'x', schema: b, value: { n: 'other' }, file: FILE })[0]?.expected).toBe('one of: only');
  });

  it('throws RR_ERR_PLUGIN_INVALID naming the section when the schema itself is broken', () => {
    expect(() => validateSection({ section: 'bad', schema: { type: 'object', properties: { a: { type: 'nonsense' } } }, value: {}, file: FILE }))
      .toThrow(expect.objectContaining({ code: 'RR_ERR_PLUGIN_INVALID', message: expect.stringContaining('"bad" section') }));
  });
});

import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { coerceAndValidate } from '../config/validate.js';
import { logsSchema } from './logs-schema.js';

const ajv = new Ajv2019({ allErrors: true, strict: true });
const validate = ajv.compile(logsSchema);

/** Every schema under `properties`/`patternProperties`, with its JSON pointer. */
function properties(schema: Record<string, unknown>, at = ''): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const key of ['properties', 'patternProperties'] as const) {
    const props = schema[key] as Record<string, Record<string, unknown>> | undefined;
    for (const [name, sub] of Object.entries(props ?? {})) {
      out.push([`${at}/${name}`, sub], ...properties(sub, `${at}/${name}`));
    }
  }
  return out;
}

describe('logs.schema.json', () => {
  it('accepts what Octane passes and a full example', () => {
    expect(validate({ mode: 'production', level: 'debug', output: ['stdout'], encoding: 'json' })).toBe(true);
    expect(validate({
      mode: 'development', level: 'WARNING', line_ending: '\n', output: ['stderr', 'rr.log'], err_output: ['stderr'],
      file_logger_options: { log_output: '/tmp/rr.log', max_size: 10, max_age: 1, max_backups: 3, compress: true },
      channels: { http: { mode: 'raw', output: ['stdout'] }, 'service.x': { level: 'info' } },
    })).toBe(true);
    expect(validate({})).toBe(true);
  });

  it('rejects unknown keys, unknown modes and encodings, at the root and in channels', () => {
    expect(validate({ verbose: true })).toBe(false);
    expect(validate({ mode: 'prod' })).toBe(false);
    expect(validate({ encoding: 'logfmt' })).toBe(false);
    expect(validate({ channels: { http: { channels: {} } } })).toBe(false);
    expect(validate({ file_logger_options: { max_size: 'big' } })).toBe(false);
  });

  it('is draft 2019-09, closed, and documents every property with a default', () => {
    const root = logsSchema as Record<string, unknown>;
    expect(root.$schema).toBe('https://json-schema.org/draft/2019-09/schema');
    expect(root.additionalProperties).toBe(false);
    const all = properties(root);
    expect(all.length).toBeGreaterThan(20);
    for (const [path, sub] of all) {
      expect(typeof sub.description, path).toBe('string');
      expect(Object.hasOwn(sub, 'default'), path).toBe(true);
      if (sub.type === 'object' || (Array.isArray(sub.type) && sub.type.includes('object'))) {
        expect(sub.additionalProperties, path).toBe(false);
      }
    }
  });

  it('works with the config loader: Octane\'s -o strings are coerced and accepted', () => {
    const { value, problems } = coerceAndValidate({
      section: 'logs', schema: logsSchema, file: '.rr.yaml',
      value: { mode: 'production', level: 'debug', output: 'stdout', encoding: 'json', file_logger_options: { max_size: '5' } },
    });
    expect(problems).toEqual([]);
    expect(value).toMatchObject({ output: ['stdout'], file_logger_options: { max_size: 5 } });
    const bad = coerceAndValidate({ section: 'logs', schema: logsSchema, file: '.rr.yaml', value: { mode: 'loud' } });
    expect(bad.problems).toHaveLength(1);
  });

  it('has no $ref, so it can be embedded in the stitched config schema as is', () => {
    expect(JSON.stringify(logsSchema)).not.toContain('$ref');
  });
});

import { createRequire } from 'node:module';
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import { RrError } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';
import { coerceBySchema } from './coerce.js';
import { translateAjvErrors } from './ajv-errors.js';
import type { ConfigProblem } from './problem.js';

export interface ValidateSectionArgs {
  /** The top-level key, e.g. `http`; problem paths start with it. */
  section: string;
  /** The plugin's JSON Schema for the section (draft 2019-09; draft-07 also accepted). */
  schema: object;
  /** The raw section value from `LoadedConfig.data`. */
  value: unknown;
  /** The config file, named in every problem. */
  file: string | undefined;
}

let ajv: Ajv2019 | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function getAjv(): Ajv2019 {
  if (ajv === undefined) {
    // strict off: schema.json files carry `default`, `description` and editor-only keywords.
    // Formats are not checked (RoadRunner checks none), which also avoids an ajv-formats dependency.
    ajv = new Ajv2019({ allErrors: true, strict: false, verbose: true, validateFormats: false });
    const draft07 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-07.json') as object;
    // ajv's own copy of the draft-07 meta-schema needs no checking against 2019-09; that check
    // cost ~30 ms at every start (measured with bench/startup).
    ajv.addMetaSchema(draft07, undefined, false);
  }
  return ajv;
}

function validatorFor(schema: object, section: string): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    const instance = getAjv();
    const id = (schema as { $id?: unknown }).$id;
    // The same $id compiled from another object (a reloaded plugin, a test) would otherwise clash.
    if (typeof id === 'string' && instance.getSchema(id) !== undefined) instance.removeSchema(id);
    try {
      validate = instance.compile(schema);
    } catch (cause) {
      throw new RrError(ErrorCodes.PLUGIN_INVALID,
        `the JSON schema for the "${section}" section is invalid: ${(cause as Error).message}. This is a bug in the plugin that owns "${section}"; fix its schema.json.`,
        { cause });
    }
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Applies RoadRunner's weak typing to a section (see {@link coerceBySchema}) and validates the
 * result. Returns the coerced value (a new object; the input is untouched) and EVERY problem.
 */
export function coerceAndValidate(args: ValidateSectionArgs): { value: unknown; problems: ConfigProblem[] } {
  const validate = validatorFor(args.schema, args.section);
  const value = coerceBySchema(args.schema, args.value);
  if (validate(value)) return { value, problems: [] };
  const errors = (validate.errors ?? []) as ErrorObject[];
  return { value, problems: translateAjvErrors(errors, { section: args.section, file: args.file, root: args.schema }) };
}

/**
 * Validates one top-level section against its plugin's schema, after weak typing, and returns every
 * problem, each naming the file, the dotted key path from the top of the file, what was found and what
 * was expected. An empty list means the section is fine.
 * @throws RrError RR_ERR_PLUGIN_INVALID when the schema itself does not compile
 */
export function validateSection(args: ValidateSectionArgs): ConfigProblem[] {
  return coerceAndValidate(args).problems;
}

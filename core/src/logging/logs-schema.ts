import { existsSync, readFileSync } from 'node:fs';

// Read at load time rather than imported: core's tsconfig only includes .ts files, so tsc neither
// accepts a JSON import (TS6307) nor copies the file to dist. From dist/logging/ the file is found
// in the package's src/ directory, which ships alongside dist.
const here = new URL('./logs.schema.json', import.meta.url);
const file = existsSync(here) ? here : new URL('../../src/logging/logs.schema.json', import.meta.url);

/**
 * The JSON Schema (draft 2019-09) of the `logs` section, parsed from logs.schema.json.
 * @public
 */
export const logsSchema: object = JSON.parse(readFileSync(file, 'utf8')) as object;

import { readFileSync } from 'node:fs';

// schema.json sits next to package.json, where the schema stitcher looks for it.
const schema: object = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as object;
export default schema;

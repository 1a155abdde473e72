import { readFileSync } from 'node:fs';

// schema.json sits next to package.json (where the schema stitcher looks for it); src/ and dist/ are
// both one level below, so the same relative URL works from source and from the build.
export const metricsSchema: object = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as object;

export { loadConfig, type LoadConfigOptions, type LoadedConfig } from './load.js';
export { createConfigView, DEFAULT_GRACE_PERIOD_MS } from './view.js';
export { configProblem, formatConfigProblems, type ConfigProblem } from './problem.js';
export { validateSection, coerceAndValidate, type ValidateSectionArgs } from './validate.js';
export { coerceBySchema } from './coerce.js';
export { expandEnv, expandEnvTree, type EnvLookup } from './env-expand.js';
export { parseDotenv } from './dotenv.js';
export { parseOverride, type ParsedOverride } from './override.js';
export { VERSION_MISSING, VERSION_OLD_HINT } from './version.js';

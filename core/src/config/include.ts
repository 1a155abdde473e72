import { resolve } from 'node:path';
import { RrError } from '@rr/plugin-api';
import { ErrorCodes } from '../errors/codes.js';
import { expandEnvTree, type EnvLookup } from './env-expand.js';
import { configProblem } from './problem.js';
import { readConfigFile } from './read-file.js';
import type { ConfigMap } from './tree.js';
import { checkVersion } from './version.js';

/**
 * The `include` list: a YAML list of file names, or one string split on whitespace (what
 * `-o include="a.yaml b.yaml"` produces, read by viper's GetStringSlice).
 */
export function includeList(value: unknown, file: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(/\s+/).filter((s) => s !== '');
  if (Array.isArray(value)) {
    const bad = value.findIndex((item) => typeof item !== 'string' && typeof item !== 'number');
    if (bad === -1) return value.map(String).filter((s) => s !== '');
    const problem = configProblem(file, `include.${bad}`, value[bad], 'a file name (string)');
    throw Object.assign(new RrError(ErrorCodes.CONFIG_INCLUDE, `${problem.message}. "include" lists the files to merge, e.g. include: [logs.yaml, rpc.yaml].`), { errors: [problem] });
  }
  const problem = configProblem(file, 'include', value, 'a list of file names');
  throw Object.assign(new RrError(ErrorCodes.CONFIG_INCLUDE, `${problem.message}. Write e.g. include: [logs.yaml, rpc.yaml].`), { errors: [problem] });
}

/**
 * Applies `include` the RoadRunner way: each file (relative to the root config file's directory) is
 * read and env-expanded but gets no `-o`; it must carry the same `version` string as the root; its
 * top-level sections then REPLACE the root's wholesale, in list order. Runs after `-o`, so an included
 * `http:` section discards `-o http.address=…`.
 */
export async function applyIncludes(data: ConfigMap, opts: { file: string; configDir: string; lookup: EnvLookup }): Promise<ConfigMap> {
  const files = includeList(data['include'], opts.file);
  const rootVersion = data['version'];
  for (const name of files) {
    const path = resolve(opts.configDir, name);
    const role = `included file`;
    const included = await readConfigFile(path, role, ErrorCodes.CONFIG_INCLUDE,
      `It is listed in "include" of ${opts.file}; include paths are relative to that file's directory.`);
    checkVersion(included['version'], path, ErrorCodes.CONFIG_INCLUDE);
    if (included['version'] !== rootVersion) {
      const problem = configProblem(path, 'version', included['version'], `${JSON.stringify(rootVersion)}, the version of ${opts.file}`);
      throw Object.assign(new RrError(ErrorCodes.CONFIG_INCLUDE,
        `version in included file must be the same as in root: ${path} has version ${JSON.stringify(included['version'])}, ${opts.file} has ${JSON.stringify(rootVersion)}. Make them equal.`),
      { errors: [problem] });
    }
    const expanded = expandEnvTree(included, opts.lookup) as ConfigMap;
    for (const [key, value] of Object.entries(expanded)) data[key] = value;
  }
  return data;
}

import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { RrError } from '@rr/plugin-api';
import { ErrorCodes, type ErrorCode } from '../errors/codes.js';
import { isPlainObject, lowercaseKeys, type ConfigMap } from './tree.js';

/**
 * Reads one configuration file (the root file or an included one): YAML for `.yaml`/`.yml`, JSON for
 * `.json`, picked by extension as viper does. An empty file is an empty map (Octane touches an empty
 * `.rr.yaml` and passes everything with `-o`). Keys come back lowercased.
 *
 * @param role - how to name the file in errors ("config file", "included file … (from …)")
 * @param notFoundCode - RR_ERR_CONFIG_NOT_FOUND for the root file, RR_ERR_CONFIG_INCLUDE for includes
 */
export async function readConfigFile(path: string, role: string, notFoundCode: ErrorCode, hint: string): Promise<ConfigMap> {
  const ext = extname(path).toLowerCase();
  const format = ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined;

  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist'
      : code === 'EISDIR' ? 'is a directory, not a file'
      : `cannot be read (${(cause as Error).message})`;
    throw new RrError(notFoundCode, `${role} ${path} ${why}. ${hint}`, { cause });
  }
  if (format === undefined) {
    throw new RrError(ErrorCodes.CONFIG_PARSE,
      `${role} ${path}: unsupported config type ${JSON.stringify(ext.replace('.', ''))}. rr reads YAML (.yaml, .yml) or JSON (.json); rename the file or convert it.`);
  }
  if (text.trim() === '') return {};

  const parsed = format === 'json' ? parseJson(text, path, role) : parseYaml(text, path, role);
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    const kind = Array.isArray(parsed) ? 'a list' : `a single ${typeof parsed}`;
    throw new RrError(ErrorCodes.CONFIG_PARSE,
      `${role} ${path}: the top level must be a map of sections (version, rpc, http, …), found ${kind}. Write it as "version: \\"3\\"" followed by one key per section.`);
  }
  return lowercaseKeys(parsed) as ConfigMap;
}

function parseJson(text: string, path: string, role: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new RrError(ErrorCodes.CONFIG_PARSE, `${role} ${path} is not valid JSON: ${(cause as Error).message}. Fix the syntax at that position.`, { cause });
  }
}

function parseYaml(text: string, path: string, role: string): unknown {
  // merge: true keeps `<<: *anchor` working as in go-yaml; duplicate keys are an error there too.
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const details = doc.errors.map((e) => e.message.split('\n')[0]).join('; ');
    throw new RrError(ErrorCodes.CONFIG_PARSE, `${role} ${path} is not valid YAML: ${details}. Fix the syntax at that line.`, { cause: doc.errors[0] });
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch (cause) {
    throw new RrError(ErrorCodes.CONFIG_PARSE, `${role} ${path} cannot be read as data: ${(cause as Error).message}.`, { cause });
  }
}

/** True when `path` is an existing directory. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

import { RrError } from '@rr/plugin-api';
import { ErrorCodes, type ErrorCode } from '../errors/codes.js';
import { configProblem } from './problem.js';
import { goTypeName } from './tree.js';

/** RoadRunner's own words, kept so that scripts grepping for them still match. */
export const VERSION_MISSING = 'rr configuration file should contain a version e.g: version: 3';
export const VERSION_OLD_HINT = "please, update your configuration version from version: '2.7' to version: '3'";

/**
 * Checks `version` as RoadRunner does: it must be present and a string. Its value is not checked,
 * except that "2.7" yields an upgrade hint (returned, for the CLI to print).
 */
export function checkVersion(version: unknown, file: string, code: ErrorCode = ErrorCodes.CONFIG_VERSION): string[] {
  if (version === undefined || version === null) {
    const problem = configProblem(file, 'version', version, 'a string such as "3"');
    throw Object.assign(new RrError(code, `${VERSION_MISSING} (${file} has no "version" key). Add the line: version: "3" (or pass -o version=3).`), { errors: [problem] });
  }
  if (typeof version !== 'string') {
    const type = goTypeName(version);
    const problem = configProblem(file, 'version', version, 'a string such as "3" (quote it in YAML)');
    throw Object.assign(new RrError(code,
      `version should be a string: \`version: "3"\`, actual type is: ${type} (${file}: found ${JSON.stringify(version)}). Quote the value: version: "${String(version)}".`),
    { errors: [problem] });
  }
  return version === '2.7' ? [VERSION_OLD_HINT] : [];
}

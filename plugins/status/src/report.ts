import type { Logger } from '@rr/plugin-api';
import type { Check } from './checks.js';

/** One entry of the /health and /ready JSON array (RoadRunner's Report; key order kept). */
export interface Report {
  plugin_name: string;
  error_message: string;
  status_code: number;
}

/**
 * Runs the checks /health or /ready asked for and decides the HTTP status, with RoadRunner's
 * rules: codes 100–400 are reported as they are; 500 and above turn the answer into
 * `unavailable` with "internal server error, see logs"; an unknown plugin named in the query is
 * logged and left out. A throwing check counts as unavailable when every plugin is checked, but
 * only as a 500 entry when plugins were named (RoadRunner does not change the HTTP status then).
 */
export async function runChecks(checks: ReadonlyMap<string, Check>, requested: readonly string[], unavailable: number, log: Logger): Promise<{ status: number; reports: Report[] }> {
  let status = 200;
  const reports: Report[] = [];
  const all = requested.length === 0;
  const names = all ? [...checks.keys()] : requested;
  for (const name of names) {
    const check = checks.get(name);
    if (check === undefined) {
      log.info('plugin does not support health checks', { plugin: name });
      continue;
    }
    let code: number;
    try {
      code = (await check()).code;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (all) status = unavailable;
      reports.push({ plugin_name: name, error_message: message, status_code: all ? unavailable : 500 });
      continue;
    }
    if (code >= 500) {
      status = unavailable;
      reports.push({ plugin_name: name, error_message: 'internal server error, see logs', status_code: unavailable });
    } else if (code >= 100 && code <= 400) {
      reports.push({ plugin_name: name, error_message: '', status_code: code });
    } else {
      reports.push({ plugin_name: name, error_message: 'unexpected status code', status_code: code });
    }
  }
  return { status, reports };
}

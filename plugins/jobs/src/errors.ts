import { RrError } from '@rr/plugin-api';

/** Error codes of the jobs plugin (entries in docs/errors.md). */
export const JobsErrorCodes = {
  /** A push, pause, resume, destroy or declare named a pipeline rr does not have. */
  NO_PIPELINE: 'RR_ERR_JOBS_NO_PIPELINE',
  /** A pipeline names a driver no enabled plugin contributes. */
  NO_DRIVER: 'RR_ERR_JOBS_NO_DRIVER',
  /** jobs.Declare for a name already in use, or without name/driver. */
  DECLARE: 'RR_ERR_JOBS_DECLARE',
  /** The driver did not confirm a push within jobs.timeout. */
  PUSH_TIMEOUT: 'RR_ERR_JOBS_PUSH_TIMEOUT',
  /** A driver failed to open a configured pipeline at start. */
  PIPELINE_OPEN: 'RR_ERR_JOBS_PIPELINE_OPEN',
} as const;

export function jobsError(code: string, message: string, cause?: unknown): RrError {
  return new RrError(code, message, cause === undefined ? {} : { cause });
}

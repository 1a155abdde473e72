import { defineToken } from '@rr/plugin-api';

/**
 * One plugin's answer to a health or readiness check, as RoadRunner's `status.Status`: an HTTP-like
 * code. 100–400 count as healthy; 500 and above make the status endpoint answer
 * `status.unavailable_status_code`.
 * @public
 */
export interface PluginStatus {
  readonly code: number;
}

/**
 * A custom check for `/health` and `/ready` (RoadRunner's Checker and Readiness). The status plugin
 * already derives both for every plugin that lists workers in `informer.sources` (health: some
 * worker ready or working; ready: some worker ready); a checker with the same `plugin` name
 * replaces the derived one for the check it implements. Throwing reports the error's message.
 * @public
 */
export interface StatusChecker {
  /** The name users pass as `?plugin=<name>`. */
  readonly plugin: string;
  /** Liveness, for `/health`. */
  status?(): PluginStatus | Promise<PluginStatus>;
  /** Readiness to take work now, for `/ready`. */
  ready?(): PluginStatus | Promise<PluginStatus>;
}

/** Registry of custom status checkers (multi token), collected by the `status` plugin. @public */
export const statusCheckersToken = defineToken<StatusChecker>('status.checkers', { multi: true });

/** One pipeline as `/jobs` reports it (RoadRunner's JobsReport; the JSON keys of the endpoint). @public */
export interface JobsPipelineReport {
  readonly pipeline: string;
  readonly priority: number;
  readonly ready: boolean;
  readonly queue: string;
  readonly active: number;
  readonly delayed: number;
  readonly reserved: number;
  readonly driver: string;
  /** Empty when the pipeline reported no error. */
  readonly error_message: string;
}

/** What the jobs plugin contributes so `/jobs` can list its pipelines. @public */
export interface JobsStateSource {
  readonly plugin: string;
  jobsState(): Promise<readonly JobsPipelineReport[]>;
}

/**
 * Registry behind `/jobs` (multi token): without a contribution `/jobs` answers
 * `jobs plugin not found`. A multi token (not a provided service) so the status plugin starts
 * before the jobs plugin and keeps answering while it drains.
 * @public
 */
export const jobsStateSourcesToken = defineToken<JobsStateSource>('status.jobsSources', { multi: true });

import { defineToken } from '@rr/plugin-api';
import type { WorkerInfo } from '@rr/pool-api';

/** A plugin whose workers `rr workers` and `informer.Workers` can list. @public */
export interface WorkerSource {
  /** The plugin name users pass to `rr workers <name>`. */
  readonly plugin: string;
  workers(): WorkerInfo[];
}

/** A plugin `rr reset` can reset. @public */
export interface Resettable {
  readonly plugin: string;
  /** Replaces the plugin's workers gracefully: in-flight work finishes first. */
  reset(): Promise<void>;
}

/** Registry behind `informer.List` / `informer.Workers` (multi token). @public */
export const informerSourcesToken = defineToken<WorkerSource>('informer.sources', { multi: true });
/** Registry behind `resetter.List` / `resetter.Reset` (multi token). @public */
export const resetterTargetsToken = defineToken<Resettable>('resetter.targets', { multi: true });

import type { WorkerSource } from '@rr/rpc-api';
import type { PluginStatus, StatusChecker } from '@rr/status-api';

/** One named check, as /health or /ready runs it. */
export type Check = () => PluginStatus | Promise<PluginStatus>;

export interface CheckRegistry {
  /** By plugin name, in start order. */
  readonly health: ReadonlyMap<string, Check>;
  readonly ready: ReadonlyMap<string, Check>;
}

/**
 * RoadRunner's http plugin semantics, applied to every plugin with workers: alive while some
 * worker is ready or working, ready only while some worker is idle.
 */
export function workerChecks(source: WorkerSource): { health: Check; ready: Check } {
  return {
    health: () => ({ code: source.workers().some((w) => w.status === 'ready' || w.status === 'working') ? 200 : 503 }),
    ready: () => ({ code: source.workers().some((w) => w.status === 'ready') ? 200 : 503 }),
  };
}

/** Worker-derived checks first; a custom checker of the same plugin replaces the check it implements. */
export function buildChecks(sources: readonly WorkerSource[], checkers: readonly StatusChecker[]): CheckRegistry {
  const health = new Map<string, Check>();
  const ready = new Map<string, Check>();
  for (const s of sources) {
    const c = workerChecks(s);
    health.set(s.plugin, c.health);
    ready.set(s.plugin, c.ready);
  }
  for (const c of checkers) {
    if (c.status) health.set(c.plugin, c.status.bind(c));
    if (c.ready) ready.set(c.plugin, c.ready.bind(c));
  }
  return { health, ready };
}

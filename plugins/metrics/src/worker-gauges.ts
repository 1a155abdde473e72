import type { Registry } from 'prom-client';
import type { WorkerInfo } from '@rr/pool-api';
import type { WorkerSource } from '@rr/rpc-api';
import { promClient } from './prom.js';

/**
 * RoadRunner's per-plugin worker gauges (`rr_<plugin>_total_workers`, …), computed from the
 * plugin's worker list at scrape time so a scrape never shows a dead worker.
 * @returns the metric names registered
 */
export function registerWorkerGauges(registry: Registry, source: WorkerSource): string[] {
  const ns = `rr_${source.plugin}`;
  // One worker list per scrape: prom-client calls every gauge's collect() in turn, so the first one
  // takes a snapshot and the others reuse it while the scrape is running.
  let snapshot: WorkerInfo[] | undefined;
  const workers = (): WorkerInfo[] => {
    if (snapshot === undefined) {
      snapshot = source.workers();
      queueMicrotask(() => { snapshot = undefined; });
    }
    return snapshot;
  };
  const count = (pred: (w: WorkerInfo) => boolean) => workers().filter(pred).length;
  const { Gauge } = promClient();

  const gauges = [
    new Gauge({
      name: `${ns}_total_workers`, help: 'Total number of workers used by the plugin', registers: [],
      collect() { this.set(workers().length); },
    }),
    new Gauge({
      name: `${ns}_workers_memory_bytes`, help: 'Memory usage by workers', registers: [],
      collect() { this.set(workers().reduce((sum, w) => sum + w.memoryBytes, 0)); },
    }),
    new Gauge({
      name: `${ns}_worker_memory_bytes`, help: 'Worker current memory usage', labelNames: ['pid'], registers: [],
      collect() {
        this.reset();
        for (const w of workers()) this.set({ pid: String(w.pid) }, w.memoryBytes);
      },
    }),
    new Gauge({
      // Always 0, as RoadRunner: the state is in the label.
      name: `${ns}_worker_state`, help: 'Worker current state', labelNames: ['state', 'pid'], registers: [],
      collect() {
        this.reset();
        for (const w of workers()) this.set({ state: w.status, pid: String(w.pid) }, 0);
      },
    }),
    new Gauge({
      name: `${ns}_workers_ready`, help: 'Workers currently in ready state', registers: [],
      collect() { this.set(count((w) => w.status === 'ready')); },
    }),
    new Gauge({
      name: `${ns}_workers_working`, help: 'Workers currently in working state', registers: [],
      collect() { this.set(count((w) => w.status === 'working')); },
    }),
    new Gauge({
      name: `${ns}_workers_invalid`, help: 'Workers currently in invalid, killing, destroyed, errored, inactive states', registers: [],
      collect() { this.set(count((w) => w.status !== 'ready' && w.status !== 'working')); },
    }),
  ];
  for (const g of gauges) registry.registerMetric(g);
  return gauges.map((g) => (g as unknown as { name: string }).name);
}

import { WorkerState, type WorkerInfo } from '@rr/pool-api';

/**
 * One worker in RoadRunner's JSON shape (`process.State`): the exact keys PHP's WorkerPool and the
 * `rr workers` table read. `created` is Unix time in nanoseconds, `memoryUsage` RSS bytes.
 */
export function workerStateJson(w: WorkerInfo): string {
  // Nanoseconds since 1970 are above 2^53, so `created` is written from a BigInt to stay exact.
  const createdNs = BigInt(Math.round(w.createdAt)) * 1_000_000n;
  return (
    `{"pid":${int(w.pid)},"status":${WorkerState[w.status] ?? 0},"numExecs":${int(w.numExecs)},` +
    `"created":${createdNs},"memoryUsage":${int(w.memoryBytes)},"CPUPercent":${finite(w.cpuPercent)},` +
    `"command":${JSON.stringify(w.command ?? '')},"statusStr":${JSON.stringify(w.status)}}`
  );
}

/** `{"workers":[…]}`, or `{"workers":null}` for a plugin without workers (RoadRunner's reply). */
export function workerListJson(workers: readonly WorkerInfo[] | undefined): string {
  if (workers === undefined) return '{"workers":null}';
  return `{"workers":[${workers.map(workerStateJson).join(',')}]}`;
}

function int(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.trunc(n)) : 0;
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/** Collector types RoadRunner accepts in `metrics.collect` and `metrics.Declare`. */
export type CollectorType = 'histogram' | 'gauge' | 'counter' | 'summary';

/** One user collector, as `metrics.collect.<name>` or the `collector` of a Declare call. */
export interface CollectorSpec {
  readonly type: CollectorType;
  readonly namespace: string;
  readonly subsystem: string;
  readonly help: string;
  readonly labels: readonly string[];
  /** Empty: the default buckets. */
  readonly buckets: readonly number[];
  /** Quantile → allowed error; empty: only _sum and _count (Go's default). */
  readonly objectives: ReadonlyArray<readonly [number, number]>;
}

const TYPES: ReadonlySet<string> = new Set(['histogram', 'gauge', 'counter', 'summary']);

/**
 * Go's encoding/json matches struct fields without tags case-insensitively, and the RPC payload
 * comes from PHP arrays: read keys the same way.
 */
export function field(obj: unknown, key: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const rec = obj as Record<string, unknown>;
  if (key in rec) return rec[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}

function strings(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${what} must be a list of strings`);
  return value.map((v) => String(v));
}

/**
 * Checks and normalises a collector description (from YAML or a Declare payload).
 * @throws Error whose message says what is wrong (`unknown collector type …`, …)
 */
export function compileCollectorSpec(raw: unknown): CollectorSpec {
  const type = String(field(raw, 'type') ?? '');
  if (!TYPES.has(type)) throw new Error(`unknown collector type ${type === '' ? '""' : type} (histogram, gauge, counter or summary)`);
  const buckets = field(raw, 'buckets');
  if (buckets !== undefined && buckets !== null && (!Array.isArray(buckets) || buckets.some((b) => typeof b !== 'number'))) {
    throw new Error('buckets must be a list of numbers');
  }
  const objectives: Array<[number, number]> = [];
  const obj = field(raw, 'objectives');
  // PHP's json_encode turns an empty array into [] rather than {}.
  if (obj !== undefined && obj !== null && !(Array.isArray(obj) && obj.length === 0)) {
    if (typeof obj !== 'object' || Array.isArray(obj)) throw new Error('objectives must map quantiles to errors, e.g. {0.5: 0.05}');
    for (const [q, e] of Object.entries(obj as Record<string, unknown>)) {
      const quantile = Number(q);
      if (!(quantile > 0 && quantile < 1) || typeof e !== 'number') throw new Error(`objective ${q}: expected a quantile between 0 and 1 mapped to an error`);
      objectives.push([quantile, e]);
    }
  }
  return {
    type: type as CollectorType,
    namespace: String(field(raw, 'namespace') ?? ''),
    subsystem: String(field(raw, 'subsystem') ?? ''),
    help: String(field(raw, 'help') ?? ''),
    labels: strings(field(raw, 'labels'), 'labels'),
    buckets: (buckets as number[] | undefined | null) ?? [],
    objectives: objectives.sort((a, b) => a[0] - b[0]),
  };
}

/** Prometheus' BuildFQName: the non-empty parts joined with "_". */
export function fullName(name: string, spec: Pick<CollectorSpec, 'namespace' | 'subsystem'>): string {
  return [spec.namespace, spec.subsystem, name].filter((p) => p !== '').join('_');
}

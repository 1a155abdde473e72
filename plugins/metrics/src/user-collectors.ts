import type { Counter, Gauge, Histogram, Summary, Registry } from 'prom-client';
import type { Logger } from '@rr/plugin-api';
import { fullName, type CollectorSpec } from './collector-spec.js';
import { promClient } from './prom.js';

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string> | Summary<string>;

interface Entry {
  readonly spec: CollectorSpec;
  readonly metric: AnyMetric;
}

/** What the RPC methods and `metrics.collect` do with application collectors. */
export type Operation = 'Add' | 'Sub' | 'Observe' | 'Set';

// Operation → collector types that support it, as RoadRunner's rpc.go switches: a gauge also adds.
const SUPPORTED: Readonly<Record<Operation, readonly string[]>> = {
  Add: ['gauge', 'counter'],
  Sub: ['gauge'],
  Observe: ['histogram', 'summary'],
  Set: ['gauge'],
};

const OP_NAME: Readonly<Record<Operation, string>> = {
  Add: 'metrics_plugin_add',
  Sub: 'metrics_plugin_sub',
  Observe: 'metrics_plugin_observe',
  Set: 'metrics_plugin_set',
};

/**
 * The application's collectors by their declared name (not the namespaced metric name, as in
 * RoadRunner), registered in the plugin's Prometheus registry. Error texts follow RoadRunner's
 * (`<op>: <what>`) because PHP code and users search for them.
 */
export class UserCollectors {
  readonly #registry: Registry;
  readonly #log: Logger;
  readonly #byName = new Map<string, Entry>();

  constructor(registry: Registry, log: Logger) {
    this.#registry = registry;
    this.#log = log;
  }

  /**
   * Creates and registers a collector. Re-declaring a name is not an error (current RoadRunner
   * answers ok and logs), so PHP workers can declare on every boot.
   * @returns false when the name already existed
   */
  declare(name: string, spec: CollectorSpec): boolean {
    if (this.#byName.has(name)) {
      this.#log.warn('metric with provided name already exist', { name, type: spec.type, namespace: spec.namespace });
      return false;
    }
    if (name === '') throw new Error('metrics_plugin_declare: a collector needs a name');
    const metricName = fullName(name, spec);
    // prom-client refuses an empty help; Go allows it. The name is the least surprising stand-in.
    const common = { name: metricName, help: spec.help === '' ? metricName : spec.help, labelNames: [...spec.labels], registers: [] };
    let metric: AnyMetric;
    const { Counter, Gauge, Histogram, Summary } = promClient();
    try {
      switch (spec.type) {
        case 'counter': metric = new Counter(common); break;
        case 'gauge': metric = new Gauge(common); break;
        case 'histogram': metric = new Histogram({ ...common, ...(spec.buckets.length > 0 ? { buckets: [...spec.buckets] } : {}) }); break;
        case 'summary': metric = new Summary({ ...common, percentiles: spec.objectives.map(([q]) => q) }); break;
      }
      this.#registry.registerMetric(metric);
    } catch (err) {
      throw new Error(`metrics_plugin_declare: ${(err as Error).message}`);
    }
    this.#byName.set(name, { spec, metric });
    this.#log.debug('metric successfully added', { name, type: spec.type, namespace: spec.namespace });
    return true;
  }

  /** Removes a collector from the registry; unknown names are an error, as in RoadRunner. */
  unregister(name: string): boolean {
    const entry = this.#byName.get(name);
    if (entry === undefined) throw new Error(`metrics_plugin_unregister: undefined collector ${name}`);
    this.#byName.delete(name);
    this.#registry.removeSingleMetric(fullName(name, entry.spec));
    return true;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  apply(op: Operation, name: string, value: number, labelValues: readonly string[]): void {
    const prefix = OP_NAME[op];
    const entry = this.#byName.get(name);
    if (entry === undefined) {
      this.#log.error('undefined collector', { collector: name });
      throw new Error(`${prefix}: undefined collector ${name}${op === 'Add' ? ', try first Declare the desired collector' : ''}`);
    }
    const { spec, metric } = entry;
    if (!SUPPORTED[op].includes(spec.type)) {
      throw new Error(`${prefix}: collector \`${name}\` does not support method \`${op}\``);
    }
    let labels: Record<string, string> | undefined;
    if (spec.labels.length > 0) {
      if (labelValues.length === 0) {
        this.#log.error('required labels for collector', { collector: name });
        throw new Error(`${prefix}: required labels for collector ${name}`);
      }
      if (labelValues.length !== spec.labels.length) {
        throw new Error(`${prefix}: inconsistent label cardinality: expected ${spec.labels.length} label values but got ${labelValues.length} in ${JSON.stringify(labelValues)}`);
      }
      labels = Object.fromEntries(spec.labels.map((l, i) => [l, labelValues[i] ?? '']));
    }
    if (spec.type === 'counter' && value < 0) {
      // Go's client panics here; an RPC error is the useful equivalent.
      throw new Error(`${prefix}: counter cannot decrease in value: ${name}`);
    }
    switch (op) {
      case 'Add':
        if (labels) (metric as Gauge<string>).inc(labels, value); else (metric as Gauge<string>).inc(value);
        return;
      case 'Sub':
        if (labels) (metric as Gauge<string>).dec(labels, value); else (metric as Gauge<string>).dec(value);
        return;
      case 'Set':
        if (labels) (metric as Gauge<string>).set(labels, value); else (metric as Gauge<string>).set(value);
        return;
      case 'Observe':
        if (labels) (metric as Histogram<string>).observe(labels, value); else (metric as Histogram<string>).observe(value);
        return;
    }
  }
}

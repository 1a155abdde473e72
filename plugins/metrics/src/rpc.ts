import { jsonMethod, type RpcService } from '@rr/rpc-api';
import { compileCollectorSpec, field } from './collector-spec.js';
import type { Operation, UserCollectors } from './user-collectors.js';

/** Reads `{name, value, labels}` (RoadRunner's Metric; keys matched case-insensitively). */
function metricArg(arg: unknown): { name: string; value: number; labels: string[] } {
  const value = field(arg, 'value');
  const labels = field(arg, 'labels');
  if (value !== undefined && value !== null && typeof value !== 'number') {
    throw new Error(`json: cannot unmarshal ${typeof value} into Go struct field Metric.Value of type float64`);
  }
  return {
    name: String(field(arg, 'name') ?? ''),
    value: value ?? 0,
    labels: Array.isArray(labels) ? labels.map((l) => String(l)) : [],
  };
}

/** The `metrics` RPC service spiral/roadrunner-metrics calls (JSON codec). */
export function metricsRpcService(collectors: UserCollectors): RpcService {
  const update = (op: Operation) => jsonMethod((arg) => {
    const m = metricArg(arg);
    collectors.apply(op, m.name, m.value, m.labels);
    return true;
  });
  return {
    name: 'metrics',
    methods: {
      Add: update('Add'),
      Sub: update('Sub'),
      Observe: update('Observe'),
      Set: update('Set'),
      Declare: jsonMethod((arg) => {
        const name = String(field(arg, 'name') ?? '');
        let spec;
        try {
          spec = compileCollectorSpec(field(arg, 'collector'));
        } catch (err) {
          throw new Error(`metrics_plugin_declare: ${(err as Error).message}`);
        }
        collectors.declare(name, spec);
        return true;
      }),
      Unregister: jsonMethod((arg) => collectors.unregister(typeof arg === 'string' ? arg : String(arg ?? ''))),
    },
  };
}

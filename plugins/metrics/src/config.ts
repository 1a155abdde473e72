import { ConfigError, parseTcpAddress, type TcpAddress } from '@rr/plugin-api';
import { compileCollectorSpec, type CollectorSpec } from './collector-spec.js';

/** RoadRunner's default (metrics config.go InitDefaults). */
export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:2112';

/** The compiled `metrics` section. */
export interface MetricsConfig {
  /** As configured, default applied (for logs). */
  readonly address: string;
  readonly listen: TcpAddress;
  /** `collect`, by collector name, in file order. */
  readonly collect: ReadonlyArray<readonly [string, CollectorSpec]>;
}

export function compileMetricsConfig(raw: unknown): MetricsConfig {
  const r = (raw ?? {}) as { address?: unknown; collect?: Record<string, unknown> | null };
  // An empty address means the default, as InitDefaults does.
  const address = typeof r.address === 'string' && r.address !== '' ? r.address : DEFAULT_METRICS_ADDRESS;
  const listen = parseTcpAddress(address, 'address', '127.0.0.1:2112');
  const collect: Array<[string, CollectorSpec]> = [];
  for (const [name, spec] of Object.entries(r.collect ?? {})) {
    try {
      collect.push([name, compileCollectorSpec(spec)]);
    } catch (err) {
      throw new ConfigError(`collect.${name}`, (err as Error).message, spec);
    }
  }
  return { address, listen, collect };
}

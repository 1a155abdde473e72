import { parseTcpAddress, type TcpAddress } from '@rr/plugin-api';

/** Not a RoadRunner code default (there the address is required); the port its docs use. */
export const DEFAULT_STATUS_ADDRESS = '127.0.0.1:2114';

/** The compiled `status` section. */
export interface StatusConfig {
  readonly address: string;
  readonly listen: TcpAddress;
  readonly unavailableStatusCode: number;
  /** Milliseconds a client may take to send its request. */
  readonly checkTimeoutMs: number;
}

export function compileStatusConfig(raw: unknown): StatusConfig {
  const r = (raw ?? {}) as { address?: unknown; unavailable_status_code?: number; check_timeout?: number };
  const address = typeof r.address === 'string' && r.address !== '' ? r.address : DEFAULT_STATUS_ADDRESS;
  return {
    address,
    listen: parseTcpAddress(address, 'address', '127.0.0.1:2114'),
    // RoadRunner's InitDefaults replaces a zero as well as a missing value.
    unavailableStatusCode: r.unavailable_status_code === undefined || r.unavailable_status_code === 0 ? 503 : r.unavailable_status_code,
    checkTimeoutMs: (r.check_timeout === undefined || r.check_timeout === 0 ? 60 : r.check_timeout) * 1000,
  };
}

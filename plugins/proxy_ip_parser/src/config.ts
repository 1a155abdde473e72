import { BlockList, isIP } from 'node:net';
import { ConfigError, type ConfigView } from '@rr/plugin-api';

/** Headers consulted, in order, when `http.trusted_headers` does not say otherwise (RoadRunner's order). */
export const DEFAULT_TRUSTED_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'true-client-ip', 'cf-connecting-ip'] as const;

export interface ProxyConfig {
  /** The CIDRs as written. */
  readonly subnets: readonly string[];
  readonly trusted: BlockList;
  /** Lowercased header names, in the order they are consulted. */
  readonly headers: readonly string[];
}

/**
 * Compiles `http.trusted_subnets` (the section this plugin reads) plus `http.trusted_headers`.
 * @throws ConfigError for an entry that is not `ip/prefix`
 */
export function compileProxyConfig(raw: unknown, view: Pick<ConfigView, 'get'>): ProxyConfig {
  const subnets = (Array.isArray(raw) ? raw : []).map((s) => String(s).trim()).filter((s) => s !== '');
  const trusted = new BlockList();
  subnets.forEach((cidr, i) => {
    const parsed = parseCidr(cidr);
    if (parsed === undefined) {
      throw new ConfigError('', `http.trusted_subnets[${i}] to be a CIDR like "10.0.0.0/8" or "fc00::/7" (invalid CIDR address: ${cidr})`, cidr);
    }
    trusted.addSubnet(parsed.network, parsed.prefix, parsed.family);
  });
  const custom = view.get('http.trusted_headers');
  const headers = Array.isArray(custom) && custom.length > 0
    ? custom.map((h) => String(h).trim().toLowerCase()).filter((h) => h !== '')
    : [...DEFAULT_TRUSTED_HEADERS];
  return { subnets, trusted, headers };
}

function parseCidr(cidr: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const network = cidr.slice(0, slash);
  const bits = cidr.slice(slash + 1);
  const version = isIP(network);
  if (version === 0 || !/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > (version === 4 ? 32 : 128)) return undefined;
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

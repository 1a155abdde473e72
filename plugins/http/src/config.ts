import { existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, parseTcpAddress, type ConfigView } from '@rr/plugin-api';
import { compilePoolConfig, type PoolConfig } from '@rr/pool-api';

/** RoadRunner's text when no listener is configured. */
export const NO_METHOD_MESSAGE = 'unable to run http service, no method has been specified (http, https, http/2 or FastCGI)';

/** Uploads extensions refused by default: RoadRunner's historical default (see README). */
export const DEFAULT_FORBIDDEN_UPLOADS: readonly string[] = ['.php', '.exe', '.bat'];

export type ClientAuth = 'none' | 'request' | 'require_any' | 'verify_if_given' | 'require_and_verify';

export interface TlsConfig {
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly redirect: boolean;
  readonly cert: string;
  readonly key: string;
  readonly rootCa?: string;
  readonly clientAuth: ClientAuth;
}

export interface UploadsConfig {
  readonly dir: string;
  /** Lower-cased, with the dot. */
  readonly forbid: readonly string[];
  readonly allow: readonly string[];
}

/** The `http` section, compiled. */
export interface HttpConfig {
  readonly address?: string;
  readonly host?: string;
  readonly port?: number;
  readonly internalErrorCode: number;
  readonly accessLogs: boolean;
  readonly maxRequestSize: number;
  readonly rawBody: boolean;
  readonly middleware: readonly string[];
  readonly uploads: UploadsConfig;
  readonly ssl?: TlsConfig;
  readonly h2c: boolean;
  readonly maxConcurrentStreams: number;
  /** FastCGI listener: `{ host, port }` or `{ path }` (unix socket). */
  readonly fcgi?: { readonly address: string; readonly host?: string; readonly port?: number; readonly path?: string };
  readonly pool: PoolConfig;
}

type Raw = Record<string, unknown>;

/** `host:port` → parts; `:8080` listens on every interface, as Go does. */
export function splitAddress(address: string, path: string): { host: string; port: number } {
  const { host, port } = parseTcpAddress(address, path, '127.0.0.1:8080');
  return { host: host ?? '::', port };
}

function extList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((e) => {
    const s = String(e).trim().toLowerCase();
    return s === '' || s.startsWith('.') ? s : `.${s}`;
  }).filter((s) => s !== '');
}

function file(view: ConfigView, raw: unknown, path: string): string {
  const p = String(raw ?? '');
  if (p === '') throw new ConfigError(path, 'a path to a PEM file');
  const abs = isAbsolute(p) ? p : resolve(view.workDir, p);
  if (!existsSync(abs)) throw new ConfigError(path, `an existing file (${abs} does not exist)`, p);
  return abs;
}

const CLIENT_AUTH: Record<string, ClientAuth> = {
  request_client_cert: 'request',
  require_any_client_cert: 'require_any',
  verify_client_cert_if_given: 'verify_if_given',
  require_and_verify_client_cert: 'require_and_verify',
};

/** Compiles the validated `http` section: defaults, cross-key checks, unsupported features. */
export function compileHttpConfig(raw: unknown, view: ConfigView, cpus = availableParallelism()): HttpConfig {
  const r = (raw ?? {}) as Raw;
  const address = typeof r['address'] === 'string' && r['address'] !== '' ? r['address'] : undefined;
  const sslRaw = r['ssl'] as Raw | undefined;
  const fcgiRaw = r['fcgi'] as Raw | undefined;
  const fcgiAddress = fcgiRaw !== undefined && typeof fcgiRaw['address'] === 'string' && fcgiRaw['address'] !== '' ? fcgiRaw['address'] : undefined;
  if (address === undefined && sslRaw === undefined && fcgiAddress === undefined) {
    throw new ConfigError('address', `a listener: address, ssl or fcgi.address (${NO_METHOD_MESSAGE})`);
  }
  if (sslRaw?.['acme'] !== undefined) {
    throw new ConfigError('ssl.acme', "nothing: ACME (Let's Encrypt) is not supported yet; obtain certificates elsewhere and set ssl.cert and ssl.key");
  }
  if (r['http3'] !== undefined) {
    throw new ConfigError('http3', 'nothing: HTTP/3 is not supported yet; remove the http3 section (HTTP/2 over ssl is available)');
  }
  const listen = address === undefined ? undefined : splitAddress(address, 'address');

  let ssl: TlsConfig | undefined;
  if (sslRaw !== undefined) {
    const sslAddress = typeof sslRaw['address'] === 'string' && sslRaw['address'] !== '' ? sslRaw['address'] : '127.0.0.1:443';
    const rootCa = sslRaw['root_ca'] === undefined || sslRaw['root_ca'] === '' ? undefined : file(view, sslRaw['root_ca'], 'ssl.root_ca');
    ssl = {
      address: sslAddress,
      ...splitAddress(sslAddress, 'ssl.address'),
      redirect: sslRaw['redirect'] === true,
      cert: file(view, sslRaw['cert'], 'ssl.cert'),
      key: file(view, sslRaw['key'], 'ssl.key'),
      ...(rootCa === undefined ? {} : { rootCa }),
      // RoadRunner applies client_auth_type only together with root_ca.
      clientAuth: rootCa === undefined ? 'none' : CLIENT_AUTH[String(sslRaw['client_auth_type'] ?? '')] ?? 'none',
    };
  }

  let fcgi: HttpConfig['fcgi'];
  if (fcgiAddress !== undefined) {
    if (fcgiAddress.startsWith('unix://')) fcgi = { address: fcgiAddress, path: fcgiAddress.slice('unix://'.length) };
    else {
      const hp = fcgiAddress.startsWith('tcp://') ? fcgiAddress.slice('tcp://'.length) : fcgiAddress;
      fcgi = { address: fcgiAddress, ...splitAddress(hp, 'fcgi.address') };
    }
  }

  const up = (r['uploads'] ?? {}) as Raw;
  const forbid = up['forbid'] === undefined ? [...DEFAULT_FORBIDDEN_UPLOADS] : extList(up['forbid']);
  const allow = extList(up['allow']).filter((e) => !forbid.includes(e));
  const dirRaw = typeof up['dir'] === 'string' && up['dir'] !== '' ? up['dir'] : tmpdir();
  const h2 = (r['http2'] ?? {}) as Raw;
  const mb = Number(r['max_request_size'] ?? 0) || 1000;

  return {
    ...(address === undefined ? {} : { address, ...listen }),
    internalErrorCode: Number(r['internal_error_code'] ?? 500) || 500,
    accessLogs: r['access_logs'] === true,
    maxRequestSize: mb * 1024 * 1024,
    rawBody: r['raw_body'] === true,
    middleware: Array.isArray(r['middleware']) ? r['middleware'].map(String) : [],
    uploads: { dir: isAbsolute(dirRaw) ? dirRaw : resolve(view.workDir, dirRaw), forbid, allow },
    ...(ssl === undefined ? {} : { ssl }),
    h2c: h2['h2c'] === true,
    maxConcurrentStreams: Number(h2['max_concurrent_streams'] ?? 128) || 128,
    ...(fcgi === undefined ? {} : { fcgi }),
    pool: compilePoolConfig(r['pool'], 'pool', cpus),
  };
}

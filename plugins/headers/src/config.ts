import { ConfigError } from '@rr/plugin-api';

/** `http.headers.cors`, compiled. */
export interface CorsConfig {
  /** Any origin allowed (`*`, or nothing configured at all). */
  readonly anyOrigin: boolean;
  /** Lowercased exact origins. */
  readonly origins: readonly string[];
  /** Lowercased `prefix*suffix` patterns. */
  readonly wildcards: ReadonlyArray<{ readonly prefix: string; readonly suffix: string }>;
  readonly originRegex: RegExp | undefined;
  /** Uppercased. */
  readonly methods: readonly string[];
  readonly anyHeader: boolean;
  /** Lowercased. */
  readonly headers: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge: number;
  readonly optionsSuccessStatus: number;
  readonly debug: boolean;
}

export interface HeadersConfig {
  readonly cors: CorsConfig | undefined;
  readonly request: Readonly<Record<string, string>>;
  readonly response: Readonly<Record<string, string>>;
}

interface RawCors {
  allowed_origin?: string;
  allowed_origin_regex?: string;
  allowed_headers?: string;
  allowed_methods?: string;
  exposed_headers?: string;
  allow_credentials?: boolean;
  max_age?: number;
  options_success_status?: number;
  debug?: boolean;
}

// rs/cors defaults, which RoadRunner inherits when a list is left empty.
const DEFAULT_METHODS = ['GET', 'POST', 'HEAD'];
const DEFAULT_HEADERS = ['origin', 'accept', 'content-type', 'x-requested-with'];

/** @throws ConfigError naming `cors.allowed_origin_regex` when it is not a valid regular expression */
export function compileHeadersConfig(raw: unknown): HeadersConfig {
  const r = (raw ?? {}) as { cors?: RawCors | null; request?: Record<string, string>; response?: Record<string, string> };
  return {
    cors: r.cors === undefined || r.cors === null ? undefined : compileCors(r.cors),
    request: { ...(r.request ?? {}) },
    response: { ...(r.response ?? {}) },
  };
}

function compileCors(c: RawCors): CorsConfig {
  const origins = list(c.allowed_origin).map((o) => o.toLowerCase());
  let originRegex: RegExp | undefined;
  if (c.allowed_origin_regex !== undefined && c.allowed_origin_regex !== '') {
    try {
      originRegex = new RegExp(c.allowed_origin_regex);
    } catch (err) {
      throw new ConfigError('cors.allowed_origin_regex', `a valid regular expression (${(err as Error).message})`, c.allowed_origin_regex);
    }
  }
  const exact: string[] = [];
  const wildcards: Array<{ prefix: string; suffix: string }> = [];
  for (const o of origins) {
    const star = o.indexOf('*');
    if (o === '*' || star === -1) exact.push(o);
    else wildcards.push({ prefix: o.slice(0, star), suffix: o.slice(star + 1) });
  }
  const headers = list(c.allowed_headers).map((h) => h.toLowerCase());
  const methods = list(c.allowed_methods).map((m) => m.toUpperCase());
  return {
    anyOrigin: exact.includes('*') || (origins.length === 0 && originRegex === undefined),
    origins: exact.filter((o) => o !== '*'),
    wildcards,
    originRegex,
    methods: methods.length > 0 ? methods : DEFAULT_METHODS,
    anyHeader: headers.includes('*'),
    headers: headers.length > 0 ? headers : DEFAULT_HEADERS,
    exposedHeaders: list(c.exposed_headers),
    allowCredentials: c.allow_credentials ?? false,
    maxAge: c.max_age ?? 0,
    optionsSuccessStatus: c.options_success_status === undefined || c.options_success_status === 0 ? 200 : c.options_success_status,
    debug: c.debug ?? false,
  };
}

/** Comma list, entries trimmed, empties dropped (RoadRunner trims since 2023; `a, b` works). */
function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

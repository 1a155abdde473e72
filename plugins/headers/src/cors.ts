import type { HttpRequest, HttpResponse } from '@rr/http-api';
import type { Logger } from '@rr/plugin-api';
import type { CorsConfig } from './config.js';

/** Whether `origin` (as sent by the browser) may read responses. */
export function originAllowed(cors: CorsConfig, origin: string): boolean {
  if (cors.anyOrigin) return true;
  const lower = origin.toLowerCase();
  if (cors.origins.includes(lower)) return true;
  if (cors.wildcards.some((w) => lower.length >= w.prefix.length + w.suffix.length && lower.startsWith(w.prefix) && lower.endsWith(w.suffix))) return true;
  return cors.originRegex !== undefined && cors.originRegex.test(origin);
}

/** True for a CORS preflight: OPTIONS carrying Access-Control-Request-Method. */
export function isPreflight(req: HttpRequest): boolean {
  return req.method === 'OPTIONS' && headerOf(req, 'access-control-request-method') !== undefined;
}

/** Answers a preflight completely; the request never reaches PHP. */
export function answerPreflight(cors: CorsConfig, req: HttpRequest, res: HttpResponse, logger: Logger): void {
  addVary(res, ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']);
  const verdict = preflightVerdict(cors, req);
  if (cors.debug) logger.debug('cors preflight', { origin: headerOf(req, 'origin') ?? '', allowed: verdict === undefined, ...(verdict === undefined ? {} : { reason: verdict }) });
  if (verdict === undefined) {
    const origin = headerOf(req, 'origin')!;
    res.setHeader('Access-Control-Allow-Origin', allowOriginValue(cors, origin));
    res.setHeader('Access-Control-Allow-Methods', headerOf(req, 'access-control-request-method')!.toUpperCase());
    const requested = headerOf(req, 'access-control-request-headers');
    if (requested !== undefined && requested.trim() !== '') res.setHeader('Access-Control-Allow-Headers', requested);
    if (cors.allowCredentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (cors.maxAge > 0) res.setHeader('Access-Control-Max-Age', String(cors.maxAge));
  }
  // As rs/cors: a refused preflight still gets the success status, only without CORS headers, so
  // the browser (not the server) blocks the real request.
  res.statusCode = cors.optionsSuccessStatus;
  res.end();
}

/** Adds CORS headers for an actual (non-preflight) request before PHP answers it. */
export function decorateActual(cors: CorsConfig, req: HttpRequest, res: HttpResponse, logger: Logger): void {
  addVary(res, ['Origin']);
  const origin = headerOf(req, 'origin');
  if (origin === undefined) return;
  const method = (req.method ?? 'GET').toUpperCase();
  const allowed = originAllowed(cors, origin) && (method === 'OPTIONS' || cors.methods.includes(method));
  if (cors.debug) logger.debug('cors actual request', { origin, method, allowed });
  if (!allowed) return;
  res.setHeader('Access-Control-Allow-Origin', allowOriginValue(cors, origin));
  if (cors.exposedHeaders.length > 0) res.setHeader('Access-Control-Expose-Headers', cors.exposedHeaders.join(', '));
  if (cors.allowCredentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
}

/** undefined when allowed, else why not. */
function preflightVerdict(cors: CorsConfig, req: HttpRequest): string | undefined {
  const origin = headerOf(req, 'origin');
  if (origin === undefined) return 'no Origin header';
  if (!originAllowed(cors, origin)) return 'origin not allowed';
  const method = headerOf(req, 'access-control-request-method')!.toUpperCase();
  if (method !== 'OPTIONS' && !cors.methods.includes(method)) return `method ${method} not allowed`;
  if (!cors.anyHeader) {
    const requested = (headerOf(req, 'access-control-request-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
    const refused = requested.find((h) => !cors.headers.includes(h));
    if (refused !== undefined) return `header ${refused} not allowed`;
  }
  return undefined;
}

// "*" cannot be combined with credentials (the Fetch standard rejects it), so the origin is echoed then.
function allowOriginValue(cors: CorsConfig, origin: string): string {
  return cors.anyOrigin && !cors.allowCredentials ? '*' : origin;
}

function addVary(res: HttpResponse, names: readonly string[]): void {
  const current = res.getHeader('Vary');
  const existing = (Array.isArray(current) ? current.join(',') : current === undefined ? '' : String(current))
    .split(',').map((s) => s.trim()).filter((s) => s !== '');
  const lower = new Set(existing.map((s) => s.toLowerCase()));
  const merged = [...existing, ...names.filter((n) => !lower.has(n.toLowerCase()))];
  res.setHeader('Vary', merged.join(', '));
}

function headerOf(req: HttpRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

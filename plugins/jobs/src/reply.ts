import type { JobHeaders } from '@rr/jobs-api';

/** What a jobs worker's reply asks rr to do with the job (protocol §6.3). */
export type ReplyAction =
  | { readonly kind: 'ack'; readonly failed?: string; readonly warning?: string }
  | { readonly kind: 'nack'; readonly requeue: boolean; readonly delaySeconds: number; readonly message: string }
  | { readonly kind: 'requeue'; readonly delaySeconds: number; readonly headers?: JobHeaders; readonly message: string }
  /** Not JSON or malformed: acked so a broken reply cannot loop forever (RoadRunner does the same). */
  | { readonly kind: 'invalid'; readonly reason: string };

export const ReplyType = { NO_ERROR: 0, ERROR: 1, ACK: 2, NACK: 3, REQUEUE: 4 } as const;

export function parseReply(body: Uint8Array): ReplyAction {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    return { kind: 'invalid', reason: body.byteLength === 0 ? 'empty reply' : `reply is not JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { kind: 'invalid', reason: 'reply is not a JSON object' };
  const { type, data } = parsed as { type?: unknown; data?: unknown };
  if (typeof type !== 'number') return { kind: 'invalid', reason: 'reply has no numeric "type"' };
  // PHP encodes an empty data array as [].
  const d = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
  if (data !== undefined && data !== null && typeof data !== 'object') return { kind: 'invalid', reason: '"data" is not an object' };
  const message = typeof d['message'] === 'string' ? d['message'] : '';
  const delaySeconds = Math.max(0, Math.trunc(Number(d['delay_seconds'] ?? 0) || 0));
  const headers = parseHeaders(d['headers']);
  if (headers === null) return { kind: 'invalid', reason: '"data.headers" is not an object of string lists' };
  switch (type) {
    case ReplyType.NO_ERROR:
    case ReplyType.ACK:
      return { kind: 'ack' };
    case ReplyType.ERROR:
      return d['requeue'] === true
        ? { kind: 'requeue', delaySeconds, message, ...(headers !== undefined ? { headers } : {}) }
        : { kind: 'ack', failed: message };
    case ReplyType.NACK:
      return { kind: 'nack', requeue: d['requeue'] === true, delaySeconds, message };
    case ReplyType.REQUEUE:
      return { kind: 'requeue', delaySeconds, message, ...(headers !== undefined ? { headers } : {}) };
    default:
      return { kind: 'ack', warning: `unknown reply type ${type}` };
  }
}

function parseHeaders(raw: unknown): JobHeaders | undefined | null {
  if (raw === undefined || raw === null) return undefined;
  // PHP encodes an empty array as [].
  if (Array.isArray(raw)) return raw.length === 0 ? {} : null;
  if (typeof raw !== 'object') return null;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (Array.isArray(v)) out[k] = v.map(String);
    else if (typeof v === 'string') out[k] = [v];
    else return null;
  }
  return out;
}

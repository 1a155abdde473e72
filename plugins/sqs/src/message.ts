import type { Job, JobHeaders } from '@rr/jobs-api';

/** What rr keeps in an SQS message besides the body (message attributes, all strings). */
export interface SqsMessageAttributes {
  readonly [name: string]: { DataType: string; StringValue: string };
}

// Characters SQS accepts in a message body; anything else (or invalid UTF-8) goes base64.
const SQS_BODY_OK = /^[\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes a job as SQS body + attributes. Binary payloads survive (base64, flagged). */
export function encodeJob(job: Job, headers: JobHeaders = job.headers): { body: string; attributes: SqsMessageAttributes } {
  let body: string;
  let encoding = 'text';
  if (job.payload.length === 0) {
    body = '-';
    encoding = 'empty'; // SQS refuses empty bodies
  } else {
    let text: string | undefined;
    try {
      text = utf8.decode(job.payload);
    } catch {
      text = undefined;
    }
    if (text !== undefined && SQS_BODY_OK.test(text)) body = text;
    else {
      body = Buffer.from(job.payload).toString('base64');
      encoding = 'base64';
    }
  }
  const s = (v: string) => ({ DataType: 'String', StringValue: v });
  return {
    body,
    attributes: {
      rr_id: s(job.id),
      rr_job: s(job.job === '' ? '-' : job.job),
      rr_headers: s(JSON.stringify(headers)),
      rr_priority: { DataType: 'Number', StringValue: String(job.priority) },
      rr_auto_ack: s(job.autoAck ? 'true' : 'false'),
      rr_encoding: s(encoding),
    },
  };
}

export interface DecodedJob {
  readonly id: string;
  readonly job: string;
  readonly payload: Uint8Array;
  readonly headers: JobHeaders;
  readonly priority: number;
  readonly autoAck: boolean;
}

/** Decodes what encodeJob wrote; a foreign message (no rr attributes) becomes a job named after nothing. */
export function decodeJob(
  messageId: string,
  body: string,
  attrs: Readonly<Record<string, { StringValue?: string | undefined } | undefined>>,
): DecodedJob {
  const get = (k: string): string | undefined => attrs[k]?.StringValue;
  const encoding = get('rr_encoding') ?? 'text';
  const payload = encoding === 'empty' ? new Uint8Array(0) : encoding === 'base64' ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  let headers: JobHeaders = {};
  const rawHeaders = get('rr_headers');
  if (rawHeaders !== undefined) {
    try {
      const parsed = JSON.parse(rawHeaders) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed as JobHeaders;
    } catch {
      headers = {};
    }
  }
  const job = get('rr_job');
  return {
    id: get('rr_id') ?? messageId,
    job: job === undefined || job === '-' ? '' : job,
    payload,
    headers,
    priority: Number(get('rr_priority') ?? 0) || 0,
    autoAck: get('rr_auto_ack') === 'true',
  };
}

import { randomUUID } from 'node:crypto';
import type { Job, JobHeaders } from '@rr/jobs-api';

// Header names RoadRunner's amqp driver uses, so queues can be shared with it during a migration.
export const H_ID = 'rr_id';
export const H_JOB = 'rr_job';
export const H_HEADERS = 'rr_headers';
export const H_PIPELINE = 'rr_pipeline';
export const H_DELAY = 'rr_delay';
export const H_PRIORITY = 'rr_priority';
export const H_AUTO_ACK = 'rr_auto_ack';

/** The AMQP message headers carrying a job's metadata (the payload is the message body). */
export function jobToHeaders(job: Job): Record<string, unknown> {
  return {
    [H_ID]: job.id,
    [H_JOB]: job.job,
    [H_HEADERS]: JSON.stringify(job.headers ?? {}),
    [H_PIPELINE]: job.pipeline,
    [H_DELAY]: job.delaySeconds,
    [H_PRIORITY]: job.priority,
    [H_AUTO_ACK]: job.autoAck,
  };
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

function num(v: unknown, dflt: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  const s = text(v);
  return s !== undefined && s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : dflt;
}

function parseHeaders(v: unknown): JobHeaders {
  const s = text(v);
  if (s === undefined || s === '') return {};
  try {
    const parsed = JSON.parse(s) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, string[]> = {};
    for (const [k, vals] of Object.entries(parsed as Record<string, unknown>)) {
      if (Array.isArray(vals)) out[k] = vals.map(String);
      else if (vals !== null && vals !== undefined) out[k] = [String(vals)];
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * A delivered message as a job. Messages published by other programs (no `rr_id`) still run: they get
 * the AMQP message-id (or a fresh UUID) as id and `auto` as job name, as RoadRunner does for foreign
 * messages, and the pipeline's priority.
 */
export function messageToJob(
  headers: Readonly<Record<string, unknown>> | undefined,
  body: Buffer,
  messageId: string | undefined,
  pipeline: string,
  pipelinePriority: number,
): Job {
  const h = headers ?? {};
  const id = text(h[H_ID]) ?? messageId ?? randomUUID();
  const priority = num(h[H_PRIORITY], 0);
  return {
    id,
    job: text(h[H_JOB]) ?? 'auto',
    payload: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    headers: parseHeaders(h[H_HEADERS]),
    pipeline,
    priority: priority === 0 ? pipelinePriority : priority,
    delaySeconds: 0,
    autoAck: h[H_AUTO_ACK] === true || text(h[H_AUTO_ACK]) === 'true',
  };
}

import type { Job, JobHeaders } from '@rr/jobs-api';

/**
 * A job as a beanstalkd body: one JSON line with the job's fields, then the payload bytes unchanged
 * (beanstalkd bodies are length-prefixed, so binary payloads need no encoding).
 */
export function encodeEnvelope(job: Job, headers: JobHeaders = job.headers): Buffer {
  const head = JSON.stringify({ rr: 1, id: job.id, job: job.job, headers, priority: job.priority, auto_ack: job.autoAck });
  return Buffer.concat([Buffer.from(`${head}\n`), job.payload]);
}

export interface Envelope {
  readonly id: string;
  readonly job: string;
  readonly headers: JobHeaders;
  readonly priority: number;
  readonly autoAck: boolean;
  readonly payload: Uint8Array;
}

/** Reads encodeEnvelope's format; any other body becomes the payload of a job named after its beanstalkd id. */
export function decodeEnvelope(beanstalkId: string, body: Buffer): Envelope {
  const nl = body.indexOf(10);
  if (body[0] === 0x7b && nl > 0) {
    try {
      const h = JSON.parse(body.subarray(0, nl).toString('utf8')) as Record<string, unknown>;
      if (h['rr'] === 1 && typeof h['id'] === 'string') {
        return {
          id: h['id'],
          job: typeof h['job'] === 'string' ? h['job'] : '',
          headers: h['headers'] !== null && typeof h['headers'] === 'object' ? (h['headers'] as JobHeaders) : {},
          priority: typeof h['priority'] === 'number' ? h['priority'] : 0,
          autoAck: h['auto_ack'] === true,
          payload: body.subarray(nl + 1),
        };
      }
    } catch {
      // not ours: fall through
    }
  }
  return { id: beanstalkId, job: '', headers: {}, priority: 0, autoAck: false, payload: body };
}

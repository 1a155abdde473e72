import type { ConfigView, Logger, LogFields, LogLevel } from '@rr/plugin-api';
import type { DeliveredJob, Job, PipelineContext } from '@rr/jobs-api';

export interface LogRecord { level: LogLevel; msg: string; fields: LogFields | undefined }

/** A logger that keeps its records, for assertions on what a driver says. */
export function recordingLogger(name: string): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const rec = (level: LogLevel) => (msg: string, fields?: LogFields): void => { records.push({ level, msg, fields }); };
  return { name, records, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error'), isEnabled: () => true };
}

export function pipelineContext(name: string, root: Record<string, unknown> = {}): PipelineContext & { logger: ReturnType<typeof recordingLogger> } {
  const get = (path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), root);
  const rootConfig: ConfigView = {
    file: undefined, workDir: process.cwd(), experimental: false, gracePeriodMs: 30_000,
    has: (p) => get(p) !== undefined, get: (p) => (p === '' ? root : get(p)),
  };
  return { logger: recordingLogger(name), rootConfig };
}

export function makeJob(id: string, pipeline: string, extra: Partial<Job> = {}): Job {
  return { id, job: 'App\\Job', payload: new TextEncoder().encode(`payload-${id}`), headers: {}, pipeline, priority: 0, delaySeconds: 0, autoAck: false, ...extra };
}

/** Waits until `pred` holds, checking every 20 ms; fails with `label` after `timeoutMs`. */
export async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every delivery by job id, in order. */
export class Ledger {
  readonly deliveries: DeliveredJob[] = [];
  readonly byId = new Map<string, number>();
  readonly acked = new Map<string, number>();
  record(d: DeliveredJob): void {
    this.deliveries.push(d);
    this.byId.set(d.id, (this.byId.get(d.id) ?? 0) + 1);
  }
  markAcked(id: string): void {
    this.acked.set(id, (this.acked.get(id) ?? 0) + 1);
  }
  attempts(id: string): number {
    return this.byId.get(id) ?? 0;
  }
}

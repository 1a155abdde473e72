import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import type { DeliveredJob, Job, JobHeaders, JobsDriver, Pipeline, PipelineContext, PipelineSpec, PipelineState } from '@rr/jobs-api';
import { ConfigError, type Logger } from '@rr/plugin-api';
import { parsePermissions } from './kv-storage.js';

/** RoadRunner's boltdb pipeline keys, compiled. */
export interface BoltdbPipelineConfig {
  readonly file: string;
  readonly permissions: number;
  /** @default 10 */
  readonly priority: number;
  /** Deliveries handed to rr and not yet settled, at most. @default 1000 (RoadRunner's code default) */
  readonly prefetch: number;
}

export function compileBoltdbPipelineConfig(raw: Readonly<Record<string, unknown>>, path: string, workDir: string): BoltdbPipelineConfig {
  const file = raw['file'] ?? 'rr.db';
  if (typeof file !== 'string' || file === '') throw new ConfigError(`${path}.file`, 'a file path such as rr.db', file);
  const n = (key: string, d: number): number => {
    const x = Number(raw[key] ?? d);
    if (!Number.isFinite(x) || x < 0) throw new ConfigError(`${path}.${key}`, 'a positive integer', raw[key]);
    return Math.trunc(x) || d;
  };
  return {
    file: isAbsolute(file) ? file : resolve(workDir, file),
    permissions: parsePermissions(raw['permissions'], `${path}.permissions`),
    priority: n('priority', 10),
    prefetch: n('prefetch', 1000),
  };
}

/** One stored job. `at` is when it becomes available (Unix ms). */
interface StoredJob {
  id: string;
  job: string;
  payload: Uint8Array;
  headers: Record<string, string[]>;
  priority: number;
  autoAck: boolean;
  at: number;
  /** Deliveries whose worker failed without answering (crash, timeout). */
  failures?: number;
}

// Files are shared by the pipelines naming them (one LMDB environment per file and process).
const roots = new Map<string, { root: RootDatabase; refs: number }>();

/**
 * A durable local queue in one LMDB file (RoadRunner's boltdb driver; the file format is not bbolt's).
 * A job is written before the push is confirmed and removed only when rr settles it after the PHP
 * worker answered, so a job in flight when rr dies (even SIGKILL) is delivered again after a restart:
 * at-least-once, with duplicates bounded by the jobs that were on workers. A worker that crashes or
 * times out leaves its job to be redelivered; an explicit nack without redelivery removes it (logged).
 */
export class BoltdbPipeline implements Pipeline {
  /** Keys of available jobs, oldest first. */
  private readonly waiting: string[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly reserved = new Set<string>();
  private deliver: ((job: DeliveredJob) => void) | undefined;
  private seq: number;
  private closed = false;

  constructor(
    private readonly spec: PipelineSpec,
    private readonly cfg: BoltdbPipelineConfig,
    private readonly db: Database<StoredJob, string>,
    private readonly release: () => Promise<void>,
    private readonly logger: Logger,
  ) {
    this.seq = 0;
    const now = Date.now();
    let restored = 0;
    for (const { key, value } of db.getRange()) {
      this.seq = Math.max(this.seq, Number.parseInt(key, 36) || 0);
      this.schedule(key, value.at - now);
      restored++;
    }
    if (restored > 0) logger.info('boltdb pipeline restored stored jobs', { pipeline: spec.name, jobs: restored });
  }

  async push(job: Job): Promise<void> {
    if (this.closed) throw new Error(`boltdb pipeline "${this.spec.name}" is closed`);
    const delayMs = job.delaySeconds > 0 ? job.delaySeconds * 1000 : 0;
    const key = await this.store({
      id: job.id, job: job.job, payload: Buffer.from(job.payload), headers: copyHeaders(job.headers),
      priority: job.priority, autoAck: job.autoAck, at: Date.now() + delayMs,
    });
    this.schedule(key, delayMs);
  }

  async consume(deliver: (job: DeliveredJob) => void): Promise<void> {
    if (this.closed) throw new Error(`boltdb pipeline "${this.spec.name}" is closed`);
    this.deliver = deliver;
    this.pump();
  }

  async pause(): Promise<void> {
    this.deliver = undefined;
  }

  async state(): Promise<PipelineState> {
    return {
      pipeline: this.spec.name, driver: 'boltdb', queue: this.spec.name, priority: this.cfg.priority,
      ready: this.deliver !== undefined, active: this.waiting.length, delayed: this.timers.size, reserved: this.reserved.size,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.deliver = undefined;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    // Everything not acked stays in the file for the next start.
    await this.db.flushed;
    await this.release();
  }

  /** Destroying a pipeline deletes its stored jobs (RoadRunner drops the bucket). */
  async destroy(): Promise<void> {
    const left = this.waiting.length + this.timers.size + this.reserved.size;
    await this.db.clearAsync();
    if (left > 0) this.logger.warn('boltdb pipeline destroyed: its stored jobs were deleted', { pipeline: this.spec.name, deleted: left });
    this.waiting.length = 0;
    await this.close();
  }

  private async store(rec: StoredJob, replaces?: string): Promise<string> {
    const key = (++this.seq).toString(36).padStart(12, '0');
    await this.db.transaction(() => {
      this.db.put(key, rec);
      if (replaces !== undefined) this.db.remove(replaces);
    });
    return key;
  }

  private schedule(key: string, delayMs: number): void {
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.waiting.push(key);
        this.pump();
      }, delayMs);
      this.timers.set(key, timer);
      return;
    }
    this.waiting.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.deliver !== undefined && this.reserved.size < this.cfg.prefetch && this.waiting.length > 0) {
      const key = this.waiting.shift()!;
      const rec = this.db.get(key);
      if (rec === undefined) continue;
      this.reserved.add(key);
      this.deliver(this.delivered(key, rec));
    }
  }

  private delivered(key: string, rec: StoredJob): DeliveredJob {
    let settled = false;
    const settle = (how: string): void => {
      if (settled) throw new Error(`boltdb pipeline "${this.spec.name}": job ${rec.id} was already settled (${how} refused: nothing is settled twice)`);
      settled = true;
    };
    const done = (): void => {
      this.reserved.delete(key);
      queueMicrotask(() => this.pump());
    };
    const again = async (delaySeconds: number, headers: JobHeaders, failures?: number): Promise<void> => {
      const next: StoredJob = { ...rec, headers: copyHeaders(headers), at: Date.now() + delaySeconds * 1000, ...(failures !== undefined ? { failures } : {}) };
      const newKey = await this.store(next, key);
      done();
      if (!this.closed) this.schedule(newKey, delaySeconds * 1000);
    };
    return {
      id: rec.id, job: rec.job, payload: rec.payload, headers: rec.headers, pipeline: this.spec.name,
      priority: rec.priority, delaySeconds: 0, autoAck: rec.autoAck, context: { queue: this.spec.name },
      ack: async () => {
        settle('ack');
        await this.db.remove(key);
        done();
      },
      nack: async ({ requeue, delaySeconds, message, workerFailed }) => {
        settle('nack');
        if (requeue || workerFailed === true) {
          const failures = workerFailed === true ? (rec.failures ?? 0) + 1 : rec.failures;
          if (workerFailed === true) this.logger.warn('job failed on its worker without an answer: redelivered (boltdb)', { pipeline: this.spec.name, ID: rec.id, failures, ...(message ? { error: message } : {}) });
          await again(delaySeconds ?? 0, rec.headers, failures);
          return;
        }
        await this.db.remove(key);
        done();
        this.logger.warn('job nacked without redelivery: removed (boltdb)', { pipeline: this.spec.name, ID: rec.id, ...(message ? { error: message } : {}) });
      },
      requeue: async ({ delaySeconds, headers }) => {
        settle('requeue');
        await again(delaySeconds, headers ?? rec.headers);
      },
    };
  }
}

function copyHeaders(h: JobHeaders): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(h)) out[k] = [...v];
  return out;
}

export const boltdbJobsDriver: JobsDriver = {
  name: 'boltdb',
  async open(spec: PipelineSpec, ctx: PipelineContext): Promise<Pipeline> {
    const cfg = compileBoltdbPipelineConfig(spec.config, `jobs.pipelines.${spec.name}.config`, ctx.rootConfig.workDir);
    let entry = roots.get(cfg.file);
    if (entry === undefined) {
      // lmdb (and its native addon) loads only when a boltdb pipeline opens. Its CommonJS build is
      // required: under \`rr serve\` the ESM build's own import of node-gyp-build-optional-packages was
      // seen to fail to resolve (resolved from the symlinked path instead of pnpm's store).
      const { open } = createRequire(import.meta.url)('lmdb') as typeof import('lmdb');
      entry = { root: open({ path: cfg.file, compression: false }), refs: 0 };
      roots.set(cfg.file, entry);
      try {
        chmodSync(cfg.file, cfg.permissions);
      } catch (err) {
        ctx.logger.warn('could not set the permissions of the boltdb file', { file: cfg.file, error: (err as Error).message });
      }
    }
    entry.refs++;
    const held = entry;
    const db = held.root.openDB<StoredJob, string>({ name: `jobs:${spec.name}` });
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      if (--held.refs === 0) {
        roots.delete(cfg.file);
        await held.root.close();
      }
    };
    ctx.logger.debug('boltdb pipeline opened', { pipeline: spec.name, file: cfg.file });
    return new BoltdbPipeline(spec, cfg, db, release, ctx.logger);
  },
};

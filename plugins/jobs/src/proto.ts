import { createRequire } from 'node:module';
import type protobufNs from 'protobufjs';
import type { JobHeaders } from '@rr/jobs-api';

// protobufjs is loaded and jobs.v1 built on the first RPC call, not on import (start-up time).
const requireLib = createRequire(import.meta.url);

// jobs.v1 as spiral/roadrunner-jobs encodes it (RoadRunner\Jobs\DTO\V1); field numbers are wire facts.
const JOBS_V1 = `
syntax = "proto3";
package jobs.v1;
message PushRequest { Job job = 1; }
message PushBatchRequest { repeated Job jobs = 1; }
message Job { string job = 1; string id = 2; bytes payload = 3; map<string, HeaderValue> headers = 4; Options options = 5; }
message Options { int64 priority = 1; string pipeline = 2; int64 delay = 3; bool auto_ack = 6; string topic = 7; string metadata = 8; int64 offset = 9; int32 partition = 10; }
message HeaderValue { repeated string value = 1; }
message DeclareRequest { map<string, string> pipeline = 1; }
message Pipelines { repeated string pipelines = 1; }
message Stats { repeated Stat stats = 1; }
message Stat { string pipeline = 1; string driver = 2; string queue = 3; int64 active = 4; int64 delayed = 5; int64 reserved = 6; bool ready = 7; uint64 priority = 8; }
message Empty {}
`;

type Types = Record<'PushRequest' | 'PushBatchRequest' | 'DeclareRequest' | 'Pipelines' | 'Stats' | 'Empty', protobufNs.Type>;
let types: Types | undefined;
function t(): Types {
  if (types === undefined) {
    const protobuf = requireLib('protobufjs') as typeof protobufNs;
    const root = protobuf.parse(JOBS_V1).root;
    const look = (n: string) => root.lookupType(`jobs.v1.${n}`);
    types = {
      PushRequest: look('PushRequest'), PushBatchRequest: look('PushBatchRequest'), DeclareRequest: look('DeclareRequest'),
      Pipelines: look('Pipelines'), Stats: look('Stats'), Empty: look('Empty'),
    };
  }
  return types;
}

/** A job as it arrives in jobs.Push / jobs.PushBatch. */
export interface JobMessage {
  job: string;
  id: string;
  payload: Uint8Array;
  headers: JobHeaders;
  options: { priority: number; pipeline: string; delay: number; autoAck: boolean; topic: string; metadata: string; offset: number; partition: number };
}

interface RawJob {
  job: string; id: string; payload: Uint8Array;
  headers: Record<string, { value: string[] }>;
  options?: { priority: number | { toNumber(): number }; pipeline: string; delay: number | { toNumber(): number }; autoAck: boolean; topic: string; metadata: string; offset: number | { toNumber(): number }; partition: number };
}

const num = (v: number | { toNumber(): number } | undefined): number => (v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());
const OBJ = { defaults: true, arrays: true, objects: true } as const;

function toJob(raw: RawJob): JobMessage {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw.headers ?? {})) headers[k] = [...(v.value ?? [])];
  const o = raw.options;
  return {
    job: raw.job, id: raw.id, payload: raw.payload, headers,
    options: {
      priority: num(o?.priority), pipeline: o?.pipeline ?? '', delay: num(o?.delay), autoAck: o?.autoAck ?? false,
      topic: o?.topic ?? '', metadata: o?.metadata ?? '', offset: num(o?.offset), partition: o?.partition ?? 0,
    },
  };
}

export function decodePush(bytes: Uint8Array): JobMessage {
  const m = t().PushRequest.toObject(t().PushRequest.decode(bytes), OBJ) as { job?: RawJob };
  if (m.job === undefined) throw new Error('jobs.Push: the request carries no job');
  return toJob(m.job);
}

export function decodePushBatch(bytes: Uint8Array): JobMessage[] {
  const m = t().PushBatchRequest.toObject(t().PushBatchRequest.decode(bytes), OBJ) as { jobs: RawJob[] };
  return m.jobs.map(toJob);
}

export function decodeDeclare(bytes: Uint8Array): Record<string, string> {
  const m = t().DeclareRequest.toObject(t().DeclareRequest.decode(bytes), OBJ) as { pipeline: Record<string, string> };
  return m.pipeline;
}

export function decodePipelines(bytes: Uint8Array): string[] {
  return (t().Pipelines.toObject(t().Pipelines.decode(bytes), OBJ) as { pipelines: string[] }).pipelines;
}

export function encodePipelines(pipelines: readonly string[]): Uint8Array {
  return t().Pipelines.encode(t().Pipelines.fromObject({ pipelines })).finish();
}

export interface StatMessage {
  pipeline: string; driver: string; queue: string; active: number; delayed: number; reserved: number; ready: boolean; priority: number;
}

export function encodeStats(stats: readonly StatMessage[]): Uint8Array {
  return t().Stats.encode(t().Stats.fromObject({ stats })).finish();
}

export function decodeStats(bytes: Uint8Array): StatMessage[] {
  const m = t().Stats.toObject(t().Stats.decode(bytes), { ...OBJ, longs: Number }) as { stats: StatMessage[] };
  return m.stats;
}

export const EMPTY = new Uint8Array(0);

/** For tests, tools and the bench: encode what the PHP producer sends. */
export function encodePush(job: Partial<JobMessage> & { options?: Partial<JobMessage['options']> }): Uint8Array {
  return t().PushRequest.encode(t().PushRequest.fromObject({ job: jobObject(job) })).finish();
}

export function encodePushBatch(jobs: ReadonlyArray<Partial<JobMessage> & { options?: Partial<JobMessage['options']> }>): Uint8Array {
  return t().PushBatchRequest.encode(t().PushBatchRequest.fromObject({ jobs: jobs.map(jobObject) })).finish();
}

export function encodeDeclare(pipeline: Record<string, string>): Uint8Array {
  return t().DeclareRequest.encode(t().DeclareRequest.fromObject({ pipeline })).finish();
}

function jobObject(job: Partial<JobMessage> & { options?: Partial<JobMessage['options']> }): object {
  const headers: Record<string, { value: string[] }> = {};
  for (const [k, v] of Object.entries(job.headers ?? {})) headers[k] = { value: [...v] };
  return { job: job.job ?? '', id: job.id ?? '', payload: job.payload ?? EMPTY, headers, options: job.options ?? {} };
}

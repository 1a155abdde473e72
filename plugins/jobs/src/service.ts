import type { RpcCall, RpcMethod, RpcReply, RpcService } from '@rr/rpc-api';
import type { JobsEngine } from './engine.js';
import { JobsErrorCodes, jobsError } from './errors.js';
import { decodeDeclare, decodePipelines, decodePush, decodePushBatch, EMPTY, encodePipelines, encodeStats, type JobMessage } from './proto.js';

const reply = (body: Uint8Array): RpcReply => ({ body, codec: 'proto' });

function proto(handler: (body: Uint8Array) => Promise<Uint8Array> | Uint8Array): RpcMethod {
  return async (call: RpcCall) => {
    // PHP's roadrunner-jobs sends these under the PROTO codec; raw bytes are accepted for tools.
    if (call.codec !== 'proto' && call.codec !== 'raw') throw new Error(`${call.method}: codec "${call.codec}" is not supported; send jobs.v1 protobuf (PROTO codec)`);
    return reply(await handler(call.body));
  };
}

/** The `jobs` RPC service (RoadRunner's jobs plugin rpc.go), protobuf jobs.v1 in and out. */
export function jobsService(engine: () => JobsEngine | undefined, timeoutSignal: () => AbortSignal): RpcService {
  const e = (): JobsEngine => {
    const en = engine();
    if (en === undefined) throw new Error('jobs: the plugin is not serving yet (or is stopping); retry once rr has started');
    return en;
  };
  const push = (m: JobMessage) => {
    if (m.options.pipeline === '') throw jobsError(JobsErrorCodes.NO_PIPELINE, `jobs: job ${m.id} names no pipeline; set options.pipeline`);
    return e().push({
      id: m.id, job: m.job, payload: m.payload, headers: m.headers, pipeline: m.options.pipeline,
      priority: m.options.priority, delaySeconds: m.options.delay, autoAck: m.options.autoAck,
    });
  };
  return {
    name: 'jobs',
    methods: {
      Push: proto(async (b) => { await push(decodePush(b)); return EMPTY; }),
      PushBatch: proto(async (b) => {
        for (const m of decodePushBatch(b)) await push(m);
        return EMPTY;
      }),
      Pause: proto(async (b) => {
        for (const p of decodePipelines(b)) await e().pause(p);
        return EMPTY;
      }),
      Resume: proto(async (b) => {
        for (const p of decodePipelines(b)) await e().resume(p);
        return EMPTY;
      }),
      List: proto(() => encodePipelines(e().names())),
      Declare: proto(async (b) => {
        const raw = decodeDeclare(b);
        const { name, driver, ...config } = raw;
        if (!name || !driver) throw jobsError(JobsErrorCodes.DECLARE, `jobs.Declare: the pipeline map needs "name" and "driver" (got keys: ${Object.keys(raw).join(', ') || 'none'})`);
        await e().declare({ name, driver, config: parseValues(config) });
        // RoadRunner starts consuming a declared pipeline at once.
        await e().resume(name);
        return EMPTY;
      }),
      Destroy: proto(async (b) => {
        const done: string[] = [];
        for (const p of decodePipelines(b)) {
          await e().destroy(p, timeoutSignal());
          done.push(p);
        }
        return encodePipelines(done);
      }),
      Stat: proto(async () => encodeStats((await e().states()).map((s) => ({
        pipeline: s.pipeline, driver: s.driver, queue: s.queue, active: s.active, delayed: s.delayed,
        reserved: s.reserved, ready: s.ready, priority: s.priority,
      })))),
    },
  };
}

/** Declare's values are strings (PHP JSON-encodes non-strings): numbers, booleans and JSON come back typed. */
function parseValues(config: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (/^-?\d+(\.\d+)?$/.test(v)) out[k] = Number(v);
    else if (v === 'true' || v === 'false') out[k] = v === 'true';
    else if (v.startsWith('{') || v.startsWith('[')) {
      try { out[k] = JSON.parse(v) as unknown; } catch { out[k] = v; }
    } else out[k] = v;
  }
  return out;
}

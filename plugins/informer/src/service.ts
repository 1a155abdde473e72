import type { Contribution } from '@rr/plugin-api';
import type { RpcMethod, RpcService, WorkerSource } from '@rr/rpc-api';
import type { JobsStateSource } from '@rr/status-api';
import { jsonMethod } from '@rr/rpc-api';
import { stringArg } from './args.js';
import { workerListJson } from './worker-state.js';

/**
 * The `informer` RPC service over the collected worker sources. `sources` is read on every call:
 * the registry is complete once every plugin has been initialised, before any call can arrive.
 */
export function informerService(
  sources: () => readonly Contribution<WorkerSource>[],
  jobsSources: () => readonly Contribution<JobsStateSource>[] = () => [],
): RpcService {
  const find = (plugin: string): WorkerSource | undefined => sources().find((c) => c.value.plugin === plugin)?.value;

  const workers: RpcMethod = (call) => {
    if (call.codec !== 'json') throw new Error(`${call.method}: codec "${call.codec}" is not supported by rr; use the JSON codec`);
    const text = Buffer.from(call.body).toString('utf8');
    const plugin = stringArg(call.method, text === '' ? undefined : (JSON.parse(text) as unknown));
    return { body: Buffer.from(workerListJson(find(plugin)?.workers())), codec: 'json' };
  };

  const noManagement = (arg: unknown): never => {
    const plugin = stringArg('informer', arg);
    throw new Error(find(plugin) === undefined
      ? `no such plugin: ${plugin}`
      : `plugin ${plugin} does not support workers management`);
  };

  return {
    name: 'informer',
    methods: {
      // RoadRunner decodes a bool argument and ignores it; any argument is accepted here.
      List: jsonMethod(() => sources().map((c) => c.value.plugin)),
      Workers: workers,
      // No pool contract for adding/removing single workers exists yet.
      AddWorker: jsonMethod(noManagement),
      RemoveWorker: jsonMethod(noManagement),
      // RoadRunner's jobs.State has no JSON tags, so Go writes the field names capitalised; plugins
      // without pipelines answer null, as RoadRunner does.
      Jobs: jsonMethod(async (arg) => {
        const plugin = stringArg('informer.Jobs', arg);
        const source = jobsSources().find((c) => c.value.plugin === plugin)?.value;
        if (source === undefined) return null;
        return (await source.jobsState()).map((s) => ({
          Pipeline: s.pipeline, Driver: s.driver, Queue: s.queue, Priority: s.priority, Active: s.active,
          Delayed: s.delayed, Reserved: s.reserved, Ready: s.ready, ErrorMessage: s.error_message,
        }));
      }),
    },
  };
}

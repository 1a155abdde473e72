import type { Contribution } from '@rr/plugin-api';
import type { Resettable, RpcService } from '@rr/rpc-api';
import { jsonMethod } from '@rr/rpc-api';
import { stringArg } from './args.js';

/** The `resetter` RPC service over the collected reset targets (read on every call). */
export function resetterService(targets: () => readonly Contribution<Resettable>[]): RpcService {
  return {
    name: 'resetter',
    methods: {
      // RoadRunner decodes a bool argument and ignores it; any argument is accepted here.
      List: jsonMethod(() => targets().map((c) => c.value.plugin)),
      Reset: jsonMethod(async (arg) => {
        const name = stringArg('resetter.Reset', arg);
        const target = targets().find((c) => c.value.plugin === name)?.value;
        if (target === undefined) throw new Error(`no such plugin: ${name}`);
        await target.reset();
        return true;
      }),
    },
  };
}

import { ConfigError } from '@rr/plugin-api';
import { fake } from './_harness.js';

export const description = 'a ConfigError thrown by compile() becomes RR_ERR_CONFIG_INVALID with the full key path; weak typing runs first';

const schema = { type: 'object', properties: { num_workers: { type: 'integer' }, max_jobs: { type: 'integer' } } };

export const plugins = [
  fake({
    name: 'pool',
    config: {
      schema,
      compile: (raw) => {
        const { num_workers: workers, max_jobs: maxJobs } = raw as { num_workers: number; max_jobs: number };
        // "-o pool.num_workers=4" arrives as a string; compile must see the coerced number.
        if (typeof workers !== 'number') throw new Error(`num_workers was not coerced: ${JSON.stringify(workers)}`);
        if (maxJobs < workers) throw new ConfigError('max_jobs', `at least num_workers (${workers})`, maxJobs);
        return { workers, maxJobs };
      },
    },
  }),
];
export const config = { pool: { num_workers: '4', max_jobs: 2 } };

export const expectedError = {
  code: 'RR_ERR_KERNEL_RESOLVE',
  phase: 'resolve',
  problems: [
    { code: 'RR_ERR_CONFIG_INVALID', plugin: 'pool', messageIncludes: ['/srv/app/.rr.yaml: pool.max_jobs: found 2, expected at least num_workers (4)'] },
  ],
};

export const expectedEvents = [];

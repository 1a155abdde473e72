import { ConfigError } from '@rr/plugin-api';
import { fake } from './_harness.js';

export const description = 'a ConfigError from the compile() of a nested section names the whole path (http.static.dir)';

export const plugins = [
  fake({
    name: 'static',
    config: {
      section: 'http.static',
      compile: () => { throw new ConfigError('dir', 'an existing directory', 'nope'); },
    },
  }),
];
export const config = { http: { static: { dir: 'nope' } } };

export const expectedError = {
  code: 'RR_ERR_KERNEL_RESOLVE',
  phase: 'resolve',
  problems: [
    { code: 'RR_ERR_CONFIG_INVALID', plugin: 'static', messageIncludes: ['/srv/app/.rr.yaml: http.static.dir: found "nope", expected an existing directory'] },
  ],
};

export const expectedEvents = [];

import { fake } from './_harness.js';

export const description = 'a plugin built for another plugin API major fails resolution with both ranges named';

export const plugins = [
  fake({ name: 'legacy', kernel: '^2.0.0' }),
  fake({ name: 'garbled', kernel: 'latest-ish' }),
  fake({ name: 'fine', kernel: '>=0.1.0 <1' }),
];
export const config = {};

export const expectedError = {
  code: 'RR_ERR_KERNEL_RESOLVE',
  phase: 'resolve',
  problems: [
    { code: 'RR_ERR_PLUGIN_VERSION_MISMATCH', plugin: 'legacy', messageIncludes: ['built for @rr/plugin-api ^2.0.0, but this rr offers 0.1.0'] },
    { code: 'RR_ERR_PLUGIN_VERSION_MISMATCH', plugin: 'garbled', messageIncludes: ['"latest-ish", which is not a valid semver range'] },
  ],
};

export const expectedEvents = [];

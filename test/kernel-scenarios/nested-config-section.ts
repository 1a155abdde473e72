import { fake, multiToken } from './_harness.js';

const middleware = multiToken('http.middleware');

export const description = 'a plugin may read a nested section (http.static); absent, it is disabled naming that path';

export const plugins = [
  fake({ name: 'http', collects: [middleware], config: {} }),
  fake({
    name: 'static', contributes: [middleware],
    config: { section: 'http.static', schema: { type: 'object', properties: { dir: { type: 'string' } }, required: ['dir'] } },
  }),
  fake({ name: 'headers', contributes: [middleware], config: { section: 'http.headers' } }),
];
export const config = { http: { address: '127.0.0.1:0', static: { dir: 'public' } } };

export const orderFixedByGraph = true;

export const expectedEvents = [
  'init:http', 'init:static',
  'serve:http', 'collected:http:http.middleware=static', 'serve:static',
  'drain:static', 'drain:http',
  'stop:static', 'stop:http',
];

export const expectedLogs = [
  { logger: 'endure', level: 'info', msgIncludes: 'plugin "headers" is disabled: no "http.headers" section', fields: { plugin: 'headers' } },
];

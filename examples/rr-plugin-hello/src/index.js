// An example third-party plugin package. It imports only @rr/plugin-api, as every plugin must.
import { defineToken, definePlugin, ConfigError } from '@rr/plugin-api';

/** The service this package offers other plugins: builds a greeting for a name. */
export const greeterToken = defineToken('hello.greeter');

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    greeting: { type: 'string', default: 'Hello', description: 'Word put before the name.' },
    name: { type: 'string', default: 'world', description: 'Who is greeted when the server starts.' },
  },
};

/** `hello`: enabled by a `hello:` section; provides hello.greeter. */
export const helloPlugin = definePlugin({
  name: 'hello',
  kernel: '^0.1.0',
  description: 'Example: provides a greeter service',
  provides: [greeterToken],
  config: {
    schema,
    compile(raw) {
      const section = raw ?? {};
      const greeting = section.greeting ?? 'Hello';
      if (greeting.trim() === '') throw new ConfigError('greeting', 'a non-empty string', greeting);
      return { greeting, name: section.name ?? 'world' };
    },
  },
  init(ctx) {
    ctx.provide(greeterToken, { greet: (who) => `${ctx.config.greeting}, ${who}!` });
    return {
      serve() { ctx.logger.info('hello plugin serving', { greeting: ctx.config.greeting }); },
      stop() { ctx.logger.info('hello plugin stopped'); },
    };
  },
});

/** `hello_audit`: uses the greeter, so it starts after `hello` and stops before it. */
export const helloAuditPlugin = definePlugin({
  name: 'hello_audit',
  kernel: '^0.1.0',
  description: 'Example: greets on start using hello.greeter',
  deps: { greeter: greeterToken },
  // Runs exactly when `hello` does, so listing the package without a `hello:` section is no error.
  enabled(_config, view) {
    return view.has('hello') ? { enabled: true } : { enabled: false, reason: 'no "hello" section to greet with' };
  },
  init(ctx) {
    return {
      serve() { ctx.logger.info(ctx.deps.greeter.greet(ctx.rootConfig.get('hello.name') ?? 'world')); },
      stop() { ctx.logger.info('hello_audit stopped'); },
    };
  },
});

export default [helloPlugin, helloAuditPlugin];

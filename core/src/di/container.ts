/**
 * The kernel's DI facade: the only core file that imports tsyringe (STYLE C3). Everything else in
 * core talks to this small interface, so the DI library could be swapped without touching the kernel.
 *
 * Each kernel gets its own container, and each plugin a child of it. Services are registered by the
 * token's string id, never by class or symbol, so two copies of @rr/plugin-api still agree.
 */
// tsyringe refuses to load without the Reflect metadata API. The CLI entry imports it first; the
// import here makes embedding the kernel (tests, tools) work too, and evaluates only once anyway.
import 'reflect-metadata';
import { Lifecycle, container as globalContainer, type DependencyContainer } from 'tsyringe';
import { isToken } from '@rr/plugin-api';
import type { Constructor, PluginContainer, Token } from '@rr/plugin-api';
import { messages } from '../errors/messages.js';

export interface KernelContainer {
  /** Makes a value visible to every plugin scope, by token id. */
  registerValue<T>(token: Token<T>, value: T): void;
  /** A new scope for one plugin; it sees everything registered in the kernel container, even later. */
  createPluginScope(plugin: string): PluginContainer;
  /** Disposes every plugin scope (newest first), then the kernel container. Idempotent. */
  dispose(): Promise<void>;
}

export function createKernelContainer(): KernelContainer {
  // tsyringe exports no constructor for a root container. A child of the global one is the closest
  // thing to a fresh root: nothing in rr registers globally (no @singleton/@registry, see C3), and
  // registrations made here never leak back into the global container or into another kernel.
  const root = globalContainer.createChildContainer();
  const scopes: DependencyContainer[] = [];
  let disposed: Promise<void> | undefined;

  return {
    registerValue(token, value) {
      register(root, token, value);
    },
    createPluginScope(plugin) {
      const scope = root.createChildContainer();
      scopes.push(scope);
      return pluginContainer(plugin, scope);
    },
    dispose() {
      disposed ??= (async () => {
        for (const scope of [...scopes].reverse()) await scope.dispose();
        await root.dispose();
      })();
      return disposed;
    },
  };
}

function pluginContainer(plugin: string, scope: DependencyContainer): PluginContainer {
  return {
    register(token, value) {
      register(scope, token, value);
    },
    registerClass<T>(token: Token<T>, cls: Constructor<T>): void {
      // One instance per plugin scope: what a plugin registers is its own service, not a factory.
      scope.register<T>(token.id, { useClass: cls as never }, { lifecycle: Lifecycle.Singleton });
    },
    resolve<T>(target: Token<T> | Constructor<T>): T {
      if (isToken(target)) {
        if (!scope.isRegistered(target.id, true)) {
          throw new Error(messages.unresolvedToken(plugin, target.id));
        }
        return scope.resolve<T>(target.id);
      }
      return scope.resolve<T>(target as Constructor<T> as never);
    },
  };
}

function register<T>(target: DependencyContainer, token: Token<T>, value: T): void {
  // tsyringe treats a `useValue` of null/undefined as "not a value provider" and throws; such a value
  // is still reachable through ctx.deps, it just cannot be injected into a constructor.
  if (value === undefined || value === null) return;
  target.register<T>(token.id, { useValue: value });
}

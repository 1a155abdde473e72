// The second of the two files allowed to import tsyringe (the other is core/src/di/container.ts).
// tsyringe is a peer dependency: a plugin must share the kernel's copy, never bundle its own.
import { inject as tsyringeInject, injectable } from 'tsyringe';
import type { Token } from './token.js';

/** A class constructor usable with {@link PluginContainer.resolve}. @public */
export type Constructor<T> = new (...args: never[]) => T;

/**
 * Constructor-parameter injection by token. Every parameter of an injectable class needs one:
 * rr does not rely on emitDecoratorMetadata.
 * @public
 */
export function inject<T>(token: Token<T>): ParameterDecorator {
  return tsyringeInject(token.id) as ParameterDecorator;
}

export { injectable };

/**
 * A plugin's own DI scope, a child of the kernel container. It sees every token provided so far.
 * Register plugin-internal services in init; resolve them there too (no service location later).
 * @public
 */
export interface PluginContainer {
  register<T>(token: Token<T>, value: T): void;
  registerClass<T>(token: Token<T>, cls: Constructor<T>): void;
  resolve<T>(target: Token<T> | Constructor<T>): T;
}

/**
 * A typed key for a service that one plugin provides and others require.
 * Tokens are plain data: two copies of this package agree on a token as long as its `id` matches.
 * @public
 */
export interface Token<T> {
  readonly kind: 'rr.token';
  /** `<owner>.<service>`, e.g. `pool.factory`. */
  readonly id: string;
  /**
   * A multi token is a registry that many plugins contribute to (RoadRunner's `Collects`): its
   * collector reads every contribution, its contributors start after it and stop before it.
   */
  readonly multi: boolean;
  /** Phantom field carrying the service type; never set at run time. */
  readonly __type?: T;
}

/** The service type behind a token. @public */
export type TokenType<K> = K extends Token<infer T> ? T : never;

const TOKEN_ID = /^[a-z][a-z0-9_]*\.[a-z][A-Za-z0-9_.]*$/;

/**
 * Defines a token. The id must be `<owner>.<service>` (lowercase owner, lowerCamel service).
 * @public
 */
export function defineToken<T>(id: string, options: { multi?: boolean } = {}): Token<T> {
  if (!TOKEN_ID.test(id)) {
    throw new TypeError(`RR_ERR_TOKEN_ID: token id "${id}" must look like "<owner>.<service>", e.g. "pool.factory"`);
  }
  return Object.freeze({ kind: 'rr.token' as const, id, multi: options.multi === true });
}

/** True for anything shaped like a token, whichever copy of this package made it. @public */
export function isToken(value: unknown): value is Token<unknown> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rr.token'
    && typeof (value as { id?: unknown }).id === 'string';
}

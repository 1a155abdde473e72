import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

// prom-client is loaded when the metrics plugin first builds a metric, not on import: rr without a
// metrics section never pays for it. A synchronous require keeps init and the helpers synchronous
// (prom-client is CommonJS: the same instance an `import` would give, so registries mix freely).
const requireLib = createRequire(import.meta.url);
let lib: typeof PromClient | undefined;

export function promClient(): typeof PromClient {
  return (lib ??= requireLib('prom-client') as typeof PromClient);
}

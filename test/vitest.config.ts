import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  // Workspace packages resolve to their TypeScript sources (the `source` export condition), so tests
  // never run against a stale dist/.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['core/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'plugins/*/src/**/*.test.ts', 'plugins/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // CI asks for a JSON report too (RR_TEST_JSON=<file>) to print a plain "N passed, N failed" line.
    reporters: process.env['RR_TEST_JSON'] ? ['default', ['json', { outputFile: process.env['RR_TEST_JSON'] }]] : ['default'],
    setupFiles: [fileURLToPath(new URL('./setup.ts', import.meta.url))],
  },
});

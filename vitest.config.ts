import { defineConfig } from 'vitest/config';

/**
 * One project per kind of test: `npm test` runs them all; `npm test -- --project unit` runs the fast,
 * self-contained part alone (no servers, no built CLI): the pure core, the parsers, the layering check.
 */
const project = (name: string) => ({ extends: true as const, test: { name, include: [`test/${name}/**/*.test.ts`] } });

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    // As the entry point does (src/main.ts): lets the diskcache adapter read a cache.db in place.
    env: { SQLITE_USE_URI: '1' },
    projects: [project('unit'), project('integration'), project('e2e'), project('fuzz'), project('hardening')],
  },
});

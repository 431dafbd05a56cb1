import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // As the entry point does (src/main.ts): lets the diskcache adapter read a cache.db in place.
    env: { SQLITE_USE_URI: '1' },
    reporters: ['default'],
  },
});

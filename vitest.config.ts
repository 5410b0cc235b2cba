import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // test/harness/ is the hostile-target suite: heavy, run by `npm run test:hostile` (vitest.hostile.config.ts).
    exclude: ['node_modules/**', 'reports/**', 'test/harness/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: PGlite instances are heavy, so keep worker count small.
    maxWorkers: 2,
  },
});

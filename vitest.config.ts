import { defineConfig } from 'vitest/config';
import { E2E_FILES, REPORTERS, shared, TEST_ENV } from './vitest.shared.ts';

export default defineConfig({
  ...shared,
  test: {
    include: ['**/*.test.ts'],
    // test/harness/ is the hostile-target suite (`npm run test:hostile`), E2E_FILES the heavy
    // end-to-end files (`npm run test:e2e`): both run from .ci/run.
    exclude: ['node_modules/**', 'reports/**', 'dist/**', 'sdk/dist/**', '.tmp/**', 'test/harness/**', ...E2E_FILES],
    // Timeouts are a safety net sized for a machine at load 16, not for an idle one: tests wait on
    // events (a child's exit, a line of output), never on a sleep.
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // Two cores: PGlite instances are heavy, so keep worker count small.
    maxWorkers: 2,
    reporters: REPORTERS,
    env: TEST_ENV,
  },
});

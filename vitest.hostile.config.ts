// The hostile-target suite (test/harness/): a real campaign per case, so it runs from .ci/run as
// `npm run test:hostile` rather than in `npm test`. Two campaigns at a time on two cores.
import { defineConfig } from 'vitest/config';
import { REPORTERS, shared, TEST_ENV } from './vitest.shared.ts';

export default defineConfig({
  ...shared,
  test: {
    include: ['test/harness/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    maxConcurrency: 2,
    reporters: REPORTERS,
    env: TEST_ENV,
  },
});

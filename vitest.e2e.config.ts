// The heavy end-to-end files (E2E_FILES in vitest.shared.ts): whole campaigns through the CLI,
// signals sent mid-run, a campaign inside a vitest suite, replays and exported regression tests.
// Run by `npm run test:e2e` from .ci/run, two files at a time on two cores.
import { defineConfig } from 'vitest/config';
import { E2E_FILES, REPORTERS, shared, TEST_ENV } from './vitest.shared.ts';

export default defineConfig({
  ...shared,
  test: {
    include: E2E_FILES,
    testTimeout: 900_000,
    hookTimeout: 900_000,
    maxWorkers: 2,
    reporters: REPORTERS,
    env: TEST_ENV,
  },
});

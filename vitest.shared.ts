// What every vitest configuration of this repository shares: `@tenantproof/sdk` (and the package's
// own entry points) resolve to their TypeScript sources through the `tenantproof-source` export
// condition, so tests never run a stale build; and the 10 slowest tests are printed at the end.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultServerConditions } from 'vite';
import type { ViteUserConfig } from 'vitest/config';

const conditions = ['tenantproof-source', ...defaultServerConditions];

export const shared: ViteUserConfig = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['tenantproof-source'] } },
};

/**
 * Set for every test and the CLI processes tests start: the embedded CRM's PGlite snapshot
 * (crm/db/pglite-snapshot.ts) is kept inside the repository (.tmp/ is git-ignored), not in the
 * user's ~/.cache, so tests write nothing outside the repository.
 */
export const TEST_ENV = {
  TENANTPROOF_CACHE_DIR: path.join(path.dirname(fileURLToPath(import.meta.url)), '.tmp', 'pglite-cache'),
};

export const REPORTERS = ['default', './test/support/slowest-tests-reporter.ts'];

/**
 * The end-to-end files that each run whole campaigns, CLI processes or a headless browser for
 * minutes: `npm run test:e2e` (from .ci/run), not `npm test`.
 */
export const E2E_FILES = [
  'test/third-party/**/*.test.ts',
  'test/run/robustness.test.ts',
  'test/vitest/**/*.test.ts',
  'test/export/**/*.test.ts',
  'test/replay/**/*.test.ts',
  'test/packaging/**/*.test.ts',
  // Five nightly campaigns (built once, shared through test/ledger/support.ts) for the ledger and the buyer's pack.
  'test/ledger/**/*.test.ts',
  'test/pack/**/*.test.ts',
  // init → doctor → run against each example API, through the CLI (a clean and a planted-bug campaign each).
  'test/onboarding/**/*.test.ts',
];

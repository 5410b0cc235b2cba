/**
 * Onboarding, end to end: Bookly (examples/subdomain): tenant by subdomain (Host), a session cookie from login.
 * init --yes → doctor → run on the clean build (exit 0) and on a planted bug (exit 1): support.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { startBookly } from '../../examples/subdomain/server.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { describeOnboarding } from './support.ts';

describeOnboarding({
  name: 'bookly',
  start: () => startBookly({}),
  bug: 'host-trusted',
  startBuggy: () => startBookly({ bug: 'host-trusted' }),
  initArgs: ['--spec', path.join(REPO_ROOT, 'examples/subdomain/openapi.yaml')],
  more: (onboarded) =>
    it("init chose subdomain tenancy: the module sends each tenant's own Host, as a selector", () => {
      expect(readFileSync(path.join(onboarded().dir, 'provision-tenants.ts'), 'utf8')).toMatch(/'header:Host'/);
      expect(onboarded().init.stdout).toMatch(/tenant: by subdomain/);
    }),
});

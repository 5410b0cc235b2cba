/**
 * Onboarding, end to end: Teamboard (examples/path-prefix): tenant by path prefix /orgs/{orgId}, a JWT claim, an admin and an
 * invited member per tenant; the spec found at /docs/spec.
 * init --yes → doctor → run on the clean build (exit 0) and on a planted bug (exit 1): support.ts.
 */
import { expect, it } from 'vitest';
import { startTeamboard } from '../../examples/path-prefix/server.ts';
import { describeOnboarding } from './support.ts';

describeOnboarding({
  name: 'teamboard',
  start: () => startTeamboard({}),
  bug: 'prefix-unchecked',
  startBuggy: () => startTeamboard({ bug: 'prefix-unchecked' }),
  more: (onboarded) =>
    it('init chose path-prefix tenancy and a second user per tenant from the invite flow', () => {
      expect(onboarded().init.stdout).toMatch(/tenant: by path prefix \{orgId\}/);
      expect(onboarded().init.stdout).toMatch(/as T1 \(member\) answered 200/);
    }),
});

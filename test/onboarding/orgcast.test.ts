/**
 * Onboarding, end to end: Orgcast (examples/org-scoped): organisationId in bodies, X-Org-Id, a documented rate limit; the spec
 * found at /openapi.yaml. init reads the documented 100-a-minute limit into maxRps; these servers have it
 * lifted, so `--max-rps` lifts ours.
 * init --yes → doctor → run on the clean build (exit 0) and on a planted bug (exit 1): support.ts.
 */
import { startOrgcast } from '../../examples/org-scoped/server.ts';
import { describeOnboarding } from './support.ts';

describeOnboarding({
  name: 'orgcast',
  start: () => startOrgcast({ rateLimitPerMinute: 1_000_000 }),
  bug: 'find-unscoped',
  startBuggy: () => startOrgcast({ rateLimitPerMinute: 1_000_000, bug: 'find-unscoped' }),
  runArgs: ['--max-rps', '1000'],
  leakOn: ['Get contact'],
});

/**
 * Onboarding, end to end: Tracklet (examples/third-party): sign-up then login for a JWT; the spec given as a file, since it serves none.
 * init --yes → doctor → run on the clean build (exit 0) and on a planted bug (exit 1): support.ts.
 */
import path from 'node:path';
import { startThirdParty } from '../../examples/third-party/server.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { describeOnboarding } from './support.ts';

describeOnboarding({
  name: 'tracklet',
  start: () => startThirdParty({}),
  bug: 'task-idor',
  startBuggy: () => startThirdParty({ bug: 'task-idor' }),
  initArgs: ['--spec', path.join(REPO_ROOT, 'examples/third-party/openapi.yaml')],
  leakOn: ['getTask'],
});

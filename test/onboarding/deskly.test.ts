/**
 * Onboarding, end to end: Deskly (examples/framework-style): NestJS-style, no response schemas; the spec found at /api-json.
 * init --yes → doctor → run on the clean build (exit 0) and on a planted bug (exit 1): support.ts.
 */
import { startDeskly } from '../../examples/framework-style/server.ts';
import { describeOnboarding } from './support.ts';

describeOnboarding({
  name: 'deskly',
  start: () => startDeskly({ emailIndex: 'per-organisation' }),
  bug: 'find-unscoped',
  startBuggy: () => startDeskly({ emailIndex: 'per-organisation', bug: 'find-unscoped' }),
  leakOn: ['TicketsController_findOne'],
});

/**
 * The signed test-result predicate of a run folder, from its evidence: PASSED for a clean verdict,
 * FAILED for a leak, WARNED for an inconclusive run; one failed test per finding
 * (`oracle:operationId`). `verify` checks that the signed predicate and evidence.json agree.
 */
import type { ResourceDescriptor, TestResultPredicate } from './attestation.ts';

export interface PredicateSource {
  verdict?: unknown;
  findings?: ReadonlyArray<{ oracle?: unknown; operationId?: unknown }>;
}

export function testResultOf(evidence: PredicateSource): Pick<TestResultPredicate, 'result' | 'failedTests'> {
  return {
    result: evidence.verdict === 'clean' ? 'PASSED' : evidence.verdict === 'leak' ? 'FAILED' : 'WARNED',
    failedTests: (evidence.findings ?? []).map((f) => `${String(f.oracle)}:${String(f.operationId)}`),
  };
}

export function testResultPredicate(
  evidence: PredicateSource,
  configuration: ResourceDescriptor[],
): TestResultPredicate {
  return { ...testResultOf(evidence), configuration, passedTests: [], warnedTests: [] };
}

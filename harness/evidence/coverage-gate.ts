/** The coverage statement of a run ("k of n tenant-owned operations probed cross-tenant") and its gate. */
import type { z } from 'zod';
import type { CoverageSummarySchema } from './evidence-schema.ts';

export type CoverageSummary = z.infer<typeof CoverageSummarySchema>;

/** The one line a summary and a report start with. */
export function coverageLine(s: CoverageSummary): string {
  return `${s.probed} of ${s.tenantOwned} tenant-owned operations probed cross-tenant (${Math.round(s.ratio * 100)}%; --min-coverage ${Math.round(s.minimum * 100)}%)`;
}

/** The gate a CLEAN verdict needs, with the fixes that would lift it. */
export function coverageGate(s: CoverageSummary): { ratio: number; minimum: number; detail: string } {
  const fixes = s.notProbed.map((n) => `${n.operationId}: ${n.reason}${n.fix ? ` (fix: ${n.fix})` : ''}`);
  return { ratio: s.ratio, minimum: s.minimum, detail: `${coverageLine(s)}; not probed: ${fixes.join('; ')}` };
}

/**
 * The coverage of merged runs: an operation probed in any run is probed; one probed in none keeps
 * the first run's reason. Undefined unless every run states its coverage.
 */
export function mergeCoverage(summaries: readonly (CoverageSummary | undefined)[]): CoverageSummary | undefined {
  if (summaries.length === 0 || summaries.some((s) => s === undefined)) return undefined;
  const all = summaries as CoverageSummary[];
  const first = all[0]!;
  const notProbed = first.notProbed.filter((n) =>
    all.every((s) => s.notProbed.some((m) => m.operationId === n.operationId)),
  );
  const tenantOwned = Math.max(...all.map((s) => s.tenantOwned));
  const probed = tenantOwned - notProbed.length;
  return {
    tenantOwned,
    probed,
    ratio: tenantOwned === 0 ? 0 : probed / tenantOwned,
    minimum: first.minimum,
    notProbed,
  };
}

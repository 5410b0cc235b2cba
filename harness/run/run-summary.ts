/** The summary `tenantproof run` prints at the end: verdict, findings, repro, negative control, where the evidence is. */
import path from 'node:path';
import type { Evidence } from '../evidence/evidence-schema.ts';
import type { CampaignResult } from './campaign-types.ts';

export function printSummary(
  evidence: Evidence,
  result: CampaignResult,
  facts: { dir: string; code: number; checkpoints: number; fresh: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const { dir, code, checkpoints, fresh } = facts;
  const verdict = {
    clean: 'CLEAN: no isolation leak found',
    leak: 'LEAK: isolation broken',
    inconclusive: 'INCONCLUSIVE: the run cannot support a verdict',
  }[evidence.verdict];
  const partial = evidence.method.partial ? ` (partial: ${evidence.method.partialReason})` : '';
  out.write(`\n${verdict}\n`);
  out.write(
    `  ${result.runs} runs, ${result.requests} requests, ${result.batches} concurrent batches, seed ${result.seed}${partial}\n`,
  );
  if (result.reason && result.reason !== evidence.method.partialReason) out.write(`  ${result.reason}\n`);
  for (const f of evidence.findings) out.write(`  [${f.oracle}] ${f.severity} ${f.operationId}: ${f.summary}\n`);
  if (result.counterexample) {
    const r = result.reproduction;
    const where = fresh
      ? 'on fresh tenants'
      : 'on the same tenants (file: or module: provisioning reuses them, so earlier data persists)';
    out.write(
      `  minimal repro: ${result.counterexample.steps.length} step(s); reproduced ${r?.reproduced ?? 0}/${r?.attempts ?? 0} ${where}\n`,
    );
    const file = path.relative(process.cwd(), path.join(dir, 'counterexamples', '1.json'));
    out.write(`  replay: npx tenantproof replay ${file}\n`);
  }
  const nc = evidence.negativeControl;
  out.write(`  negative control: ${nc.outcome}${nc.detail ? ` (${nc.detail})` : ''}\n`);
  if (result.cleanup)
    out.write(
      `  cleanup: ${result.cleanup.deleted} records deleted, ${result.cleanup.failed} refused, ${result.cleanup.undeletable} without a delete operation\n`,
    );
  if (checkpoints > 0) out.write(`  ${checkpoints} checkpoint seal(s) written while running\n`);
  const rel = path.relative(process.cwd(), dir);
  out.write(`  evidence: ${rel}/ (verify with \`npx tenantproof verify ${rel}\`)\n`);
  out.write(`  exit code ${code}\n`);
}

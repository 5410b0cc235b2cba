/**
 * The summary `tenantproof run` prints at the end: the verdict (and why, when inconclusive), the
 * coverage, the confirmed and the unconfirmed findings apart, each with its repro and replay
 * command, the negative control, and where the evidence is.
 */
import path from 'node:path';
import type { Evidence, EvidenceFinding } from '../evidence/evidence-schema.ts';
import type { CampaignResult } from './campaign-types.ts';
import { coverageLine, type CoverageSummary } from './coverage-summary.ts';
import { poolLine } from './tenant-pool.ts';

type Observation = NonNullable<Evidence['observations']>[number];

const VERDICT = {
  clean: 'CLEAN: no isolation leak found',
  leak: 'LEAK: isolation broken',
  inconclusive: 'INCONCLUSIVE: the run cannot support a verdict',
} as const;

function describe(f: EvidenceFinding, dir: string, fresh: boolean): string[] {
  const r = f.reproduction;
  const how =
    f.confirmation === 'self-proving'
      ? `proves itself (${f.proof === 'victim-state-change' ? "the victim's record changed" : 'victim-owned data came back'})`
      : f.confirmation === 'replay'
        ? `reproduced ${r.reproduced}/${r.attempts} on replay`
        : `did not reproduce (0/${r.attempts}) and does not prove itself`;
  const lines = [`  [${f.oracle}] ${f.severity} ${f.operationId}: ${f.summary}`, `      ${how}`];
  // Tenants with several users: which one sent it. The finding crosses tenants whatever the role.
  const role = f.evidence['attackerRole'];
  if (typeof role === 'string')
    lines.push(`      sent by ${f.attacker}'s ${role} user: it crosses tenants, not only roles within ${f.attacker}`);
  if (f.counterexample) {
    const where = fresh ? 'fresh tenants' : 'the same tenants (file: or module: provisioning reuses them)';
    lines.push(`      minimal repro: ${f.repro.steps.length} step(s), replayed on ${where}`);
    lines.push(
      `      replay: npx tenantproof replay ${path.relative(process.cwd(), path.join(dir, f.counterexample))}`,
    );
  }
  return lines;
}

export function printSummary(
  evidence: Evidence,
  result: CampaignResult,
  facts: { dir: string; code: number; checkpoints: number; fresh: boolean; coverage?: CoverageSummary },
  out: NodeJS.WritableStream = process.stdout,
): void {
  const { dir, code, checkpoints, fresh } = facts;
  const partial = evidence.method.partial ? ` (partial: ${evidence.method.partialReason})` : '';
  out.write(`\n${VERDICT[evidence.verdict]}\n`);
  if (evidence.verdictReason) out.write(`  why: ${evidence.verdictReason}\n`);
  if (facts.coverage) {
    out.write(`  ${coverageLine(facts.coverage)}\n`);
    for (const n of facts.coverage.notProbed.slice(0, 10))
      out.write(`    not probed: ${n.operationId}: ${n.reason}${n.fix ? `\n      fix: ${n.fix}` : ''}\n`);
    if (facts.coverage.notProbed.length > 10)
      out.write(`    … and ${facts.coverage.notProbed.length - 10} more in the evidence\n`);
  }
  out.write(
    `  ${result.runs} runs, ${result.requests} requests, ${result.batches} concurrent batches, seed ${result.seed}${partial}\n`,
  );
  if (result.reason && result.reason !== evidence.method.partialReason) out.write(`  ${result.reason}\n`);
  const confirmed = evidence.findings.filter((f) => f.confirmation !== 'unconfirmed');
  const unconfirmed = evidence.findings.filter((f) => f.confirmation === 'unconfirmed');
  if (confirmed.length > 0) out.write(`  confirmed findings (${confirmed.length}):\n`);
  for (const f of confirmed) for (const line of describe(f, dir, fresh)) out.write(`${line}\n`);
  if (unconfirmed.length > 0)
    out.write(`  unconfirmed findings (${unconfirmed.length}; they alone cannot make a LEAK):\n`);
  for (const f of unconfirmed) for (const line of describe(f, dir, fresh)) out.write(`${line}\n`);
  const nc = evidence.negativeControl;
  out.write(`  negative control: ${nc.outcome}${nc.detail ? ` (${nc.detail})` : ''}\n`);
  const notes = groupObservations(evidence.observations ?? []);
  if (notes.length > 0) {
    out.write(`  observations (limits of this run's proof; not findings):\n`);
    for (const o of notes.slice(0, 6)) out.write(`    - ${o}\n`);
    if (notes.length > 6) out.write(`    … and ${notes.length - 6} more in the evidence\n`);
  }
  if (result.cleanup)
    out.write(
      `  cleanup: ${result.cleanup.deleted} records deleted, ${result.cleanup.failed} refused, ${result.cleanup.undeletable} without a delete operation\n`,
    );
  if (result.pool) out.write(`  ${poolLine(result.pool)}\n`);
  if (checkpoints > 0) out.write(`  ${checkpoints} checkpoint seal(s) written while running\n`);
  const rel = path.relative(process.cwd(), dir);
  out.write(`  evidence: ${rel}/ (verify with \`npx tenantproof verify ${rel}\`)\n`);
  out.write(`  exit code ${code}\n`);
}

/** One line per distinct observation, with its count and the operations it was seen on (most frequent first). */
export function groupObservations(observations: readonly Observation[]): string[] {
  const by = new Map<string, { count: number; ops: string[] }>();
  for (const o of observations) {
    const g = by.get(o.summary) ?? { count: 0, ops: [] };
    g.count += o.count;
    if (!g.ops.includes(o.operationId)) g.ops.push(o.operationId);
    by.set(o.summary, g);
  }
  return [...by.entries()]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([summary, g]) => {
      const ops = g.ops.length > 3 ? `${g.ops.slice(0, 3).join(', ')} and ${g.ops.length - 3} more` : g.ops.join(', ');
      return `${summary} (${g.count}× on ${ops})`;
    });
}

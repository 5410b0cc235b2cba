/**
 * A run's finding as the ledger keeps it: its identity (oracle, operation, probe, relation), how
 * sure it is, what leaked by kind, and its minimal repro as templates. Identity parts are
 * vocabulary of the spec and the harness, so the same defect found with another seed, other tenants
 * and other ids has the same identity.
 *
 * The relation is the one of the exchange the finding was raised on, read from the transcript (the
 * coverage matrix counts judged exchanges by the same relation, so "covered" and "seen" compare
 * like with like); a finding whose exchange cannot be read falls back on its probe's relation.
 */
import type { EvidenceFinding } from '../evidence/evidence-schema.ts';
import { TRANSCRIPT_FILE } from '../evidence/transcript.ts';
import type { Exchange } from '../model/exchange.ts';
import type { LedgerFinding, LedgerRelation } from './entry.ts';
import { leakedKinds } from './leaked-kinds.ts';
import { reproTemplate, type OperationTemplate } from './repro-template.ts';

const RELATIONS: readonly string[] = ['own', 'foreign', 'injected'];

/** The relation a probe's requests have (a tenant naming another's data, overriding its tenant, or its own). */
export function relationOfProbe(probe: string | undefined): LedgerRelation {
  if (!probe) return 'own';
  if (/-injection$/.test(probe)) return 'injected';
  if (/^(cross-tenant-|foreign-)/.test(probe) || probe === 'canary-search') return 'foreign';
  return 'own';
}

/** The relation of the exchange the finding was raised on, from its cited transcript lines. */
export function findingRelation(
  finding: Pick<EvidenceFinding, 'operationId' | 'exchanges' | 'transcriptLines' | 'probe'>,
  cited: ReadonlyMap<number, Exchange> | undefined,
): LedgerRelation {
  const candidates = finding.transcriptLines
    .map((l) => cited?.get(l))
    .filter(
      (e): e is Exchange => e !== undefined && e.operationId === finding.operationId && RELATIONS.includes(e.relation),
    );
  const first = finding.exchanges[0];
  const raised = candidates.find((e) => e.seq === first) ?? candidates[0];
  return raised ? (raised.relation as LedgerRelation) : relationOfProbe(finding.probe);
}

/** The transcript a finding's lines refer to, relative to the run folder. */
export function transcriptOf(finding: Pick<EvidenceFinding, 'transcript'>): string {
  return finding.transcript ?? TRANSCRIPT_FILE;
}

export function ledgerFinding(
  f: EvidenceFinding,
  context: {
    operations: readonly OperationTemplate[];
    cited: ReadonlyMap<number, Exchange> | undefined;
    oracleTitles: ReadonlyMap<string, string>;
  },
): LedgerFinding {
  const title = context.oracleTitles.get(f.oracle);
  return {
    id: f.id,
    oracle: f.oracle,
    ...(title ? { oracleTitle: title.slice(0, 200) } : {}),
    operationId: f.operationId,
    probe: f.probe ?? 'unspecified',
    relation: findingRelation(f, context.cited),
    severity: f.severity,
    ...(f.confirmation ? { confirmation: f.confirmation } : {}),
    ...(f.proof ? { proof: f.proof } : {}),
    leaked: leakedKinds(f),
    repro: reproTemplate(f, context.operations),
    ...(f.counterexample ? { counterexample: f.counterexample } : {}),
    transcript: transcriptOf(f),
    transcriptLines: [...f.transcriptLines],
  };
}

/** Turning oracle findings and judgements into the evidence document's findings and coverage. */
import type { Finding, OracleName, Relation } from '../model/exchange.ts';
import type { CoverageCell, EvidenceFinding, ReproStep } from './evidence-schema.ts';

export interface FindingExtras {
  id: string;
  repro: ReproStep[];
  reproduction: { reproduced: number; attempts: number };
  confirmation: 'self-proving' | 'replay' | 'unconfirmed';
  /** Transcript line of an exchange seq (from `TranscriptWriter.appendExchange`'s return values). */
  transcriptLineOf: (seq: number) => number | undefined;
  counterexample?: string;
}

export function toEvidenceFinding(f: Finding, extras: FindingExtras): EvidenceFinding {
  const lines = f.exchanges.map(extras.transcriptLineOf).filter((l): l is number => l !== undefined);
  return {
    id: extras.id,
    oracle: f.oracle,
    proof: f.proof,
    confirmation: extras.confirmation,
    ...(f.probe !== undefined ? { probe: f.probe } : {}),
    severity: f.severity,
    operationId: f.operationId,
    attacker: f.attacker,
    ...(f.victim !== undefined ? { victim: f.victim } : {}),
    summary: f.summary,
    // Round-trip through JSON so the evidence holds plain data only.
    evidence: JSON.parse(JSON.stringify(f.evidence)) as Record<string, unknown>,
    exchanges: [...f.exchanges],
    repro: { steps: extras.repro },
    reproduction: extras.reproduction,
    transcriptLines: lines,
    ...(extras.counterexample !== undefined ? { counterexample: extras.counterexample } : {}),
  };
}

/** Counts what each oracle judged, per operation and relation, for the coverage matrix. */
export class CoverageCounter {
  private readonly counts = new Map<string, CoverageCell>();

  add(operationId: string, oracle: OracleName, relation: Relation, n = 1): void {
    if (relation === 'setup') return;
    const key = `${operationId}\u0000${oracle}\u0000${relation}`;
    const cell = this.counts.get(key);
    if (cell) cell.count += n;
    else this.counts.set(key, { operationId, oracle, relation, count: n });
  }

  cells(): CoverageCell[] {
    return [...this.counts.values()].sort(
      (a, b) =>
        a.operationId.localeCompare(b.operationId) ||
        a.oracle.localeCompare(b.oracle) ||
        a.relation.localeCompare(b.relation),
    );
  }
}

/** The bytes around a hit: what came before, the foreign value matched, what came after. */
export interface HitContext {
  before: string;
  match: string;
  after: string;
}

/** A hit's `context`, when the value is a hit of that shape (`evidence.hits[]` of a byte-scan finding). */
export function hitContext(hit: unknown): HitContext | undefined {
  const c = hit !== null && typeof hit === 'object' ? (hit as { context?: unknown }).context : undefined;
  if (!c || typeof c !== 'object') return undefined;
  const { before, match, after } = c as Record<string, unknown>;
  return typeof before === 'string' && typeof match === 'string' && typeof after === 'string'
    ? { before, match, after }
    : undefined;
}

/** `evidence.hits[0].context` of a finding, when it has that shape. */
export function firstHit(evidence: Record<string, unknown>): HitContext | undefined {
  const hits = evidence['hits'];
  return Array.isArray(hits) ? hitContext(hits[0]) : undefined;
}

/**
 * Oracle 4, model: list, count, search, aggregate and export results equal the model's view of A's
 * own data. At quiescent points (`exact`) the sets of ids and the aggregates must match exactly;
 * during concurrent batches (`ownership`) other tenants' writes make exact counts unknowable, so only
 * ownership is checked: every returned id must be A's.
 */
import type { Finding, OracleName, TenantLabel } from '../model/exchange.ts';

export type ModelQueryKind = 'list' | 'count' | 'search' | 'aggregate' | 'export';

/** One observation the campaign compares against its model. */
export interface ModelObservation {
  tenant: TenantLabel;
  operationId: string;
  kind: ModelQueryKind;
  mode: 'exact' | 'ownership';
  /** Exchanges that produced the observation (all pages of a list, say). */
  exchanges: number[];
  /** Ids the target returned (all pages). */
  observedIds?: readonly string[];
  /** The resource the ids are of, when known: ownership is per resource (integer ids repeat across tables). */
  resource?: string;
  /** Ids the model says A owns and the query should return (exact mode). */
  expectedIds?: readonly string[];
  /** Named numbers the target returned (`count`, `total.amount`, …). */
  observedAggregates?: Readonly<Record<string, number>>;
  /** The model's values for the same names (exact mode). */
  expectedAggregates?: Readonly<Record<string, number>>;
}

export interface ModelOracleContext {
  /** Owner of an id of `resource` (when given), else of any registered value (`registry.ownerOf`). */
  ownerOf: (value: string, resource?: string) => TenantLabel | undefined;
  /** Relative tolerance for aggregate comparison (default 1e-9, for float sums). */
  tolerance?: number;
}

const ORACLE: OracleName = 'model';

export function checkModel(observations: Iterable<ModelObservation>, ctx: ModelOracleContext): Finding[] {
  const tol = ctx.tolerance ?? 1e-9;
  const findings: Finding[] = [];
  for (const o of observations) {
    const observed = [...new Set(o.observedIds ?? [])];
    const base = { oracle: ORACLE, operationId: o.operationId, attacker: o.tenant, exchanges: o.exchanges };

    // Ownership, in both modes: ids owned by someone else.
    const foreignByOwner = new Map<TenantLabel, string[]>();
    for (const id of observed) {
      const owner = ctx.ownerOf(id, o.resource);
      if (owner !== undefined && owner !== o.tenant)
        foreignByOwner.set(owner, [...(foreignByOwner.get(owner) ?? []), id]);
    }
    for (const [victim, ids] of foreignByOwner) {
      findings.push({
        ...base,
        severity: 'critical',
        victim,
        summary: `${o.kind} ${o.operationId} as ${o.tenant} returned ${ids.length} record(s) owned by ${victim}.`,
        evidence: { kind: 'foreign-ids', mode: o.mode, query: o.kind, ids },
      });
    }

    if (o.mode !== 'exact') continue;
    if (o.expectedIds) {
      const expected = new Set(o.expectedIds);
      const extra = observed.filter(
        (id) => !expected.has(id) && (ctx.ownerOf(id, o.resource) ?? o.tenant) === o.tenant,
      );
      const seen = new Set(observed);
      const missing = [...expected].filter((id) => !seen.has(id));
      if (extra.length > 0 || missing.length > 0) {
        const unknown = extra.filter((id) => ctx.ownerOf(id, o.resource) === undefined);
        findings.push({
          ...base,
          severity: unknown.length > 0 ? 'high' : 'medium',
          summary: `${o.kind} ${o.operationId} as ${o.tenant} differs from the model: ${extra.length} unexpected, ${missing.length} missing id(s).`,
          evidence: {
            kind: 'id-set-mismatch',
            query: o.kind,
            extra,
            unknownOwner: unknown,
            missing,
            expectedCount: expected.size,
            observedCount: observed.length,
          },
        });
      }
    }
    if (o.expectedAggregates && o.observedAggregates) {
      const mismatches: Array<{ name: string; expected: number; observed: number | null }> = [];
      for (const [name, expected] of Object.entries(o.expectedAggregates)) {
        const got = o.observedAggregates[name];
        const close = got !== undefined && Math.abs(got - expected) <= tol * Math.max(1, Math.abs(expected));
        if (!close) mismatches.push({ name, expected, observed: got ?? null });
      }
      if (mismatches.length > 0) {
        const inflated = mismatches.some((m) => m.observed !== null && m.observed > m.expected);
        findings.push({
          ...base,
          severity: inflated ? 'high' : 'medium',
          summary: `${o.kind} ${o.operationId} as ${o.tenant}: ${mismatches.map((m) => `${m.name} is ${m.observed ?? 'absent'}, model says ${m.expected}`).join('; ')}.`,
          evidence: { kind: 'aggregate-mismatch', query: o.kind, mismatches },
        });
      }
    }
  }
  return findings;
}

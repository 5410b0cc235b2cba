/**
 * Oracle 4, model: list, count, search, aggregate and export results equal the model's view of A's
 * own data. At quiescent points (`exact`) the sets of ids and the aggregates must match exactly;
 * during concurrent batches (`ownership`) other tenants' writes make exact counts unknowable, so only
 * ownership is checked: every returned id must be A's.
 */
import type { CheckpointView } from '../model/checkpoint-view.ts';
import type { Finding, OracleName, TenantLabel } from '../model/exchange.ts';
import { extractIds } from '../model/extract-ids.ts';
import type { World } from '../model/world.ts';
import type { CampaignPlan } from '../model/plan.ts';
import { singularize } from '../openapi/naming.ts';
import { defineOracle, stateless, type Judged } from './oracle.ts';
import { comparable } from './support/http-text.ts';

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
        proof: 'victim-data',
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
          proof: 'difference',
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
          proof: 'difference',
          severity: inflated ? 'high' : 'medium',
          summary: `${o.kind} ${o.operationId} as ${o.tenant}: ${mismatches.map((m) => `${m.name} is ${m.observed ?? 'absent'}, model says ${m.expected}`).join('; ')}.`,
          evidence: { kind: 'aggregate-mismatch', query: o.kind, mismatches },
        });
      }
    }
  }
  return findings;
}

const singular = (name: string): string => singularize(name.toLowerCase());

/** Model observations of one checkpoint: exact where the model is complete, ownership otherwise. */
export function checkpointObservations(view: CheckpointView, world: World, plan: CampaignPlan): ModelObservation[] {
  // Exact only where the model is complete: fresh tenants, and none of the tenant's own writes
  // had an effect the harness could not read (a 5xx, no answer, an unreadable body).
  const exactFor = (tenant: TenantLabel): boolean => view.completeModel && world.tenant(tenant).uncertainWrites === 0;
  const out: ModelObservation[] = [];
  for (const l of view.lists) {
    // A page that was throttled, failed or came back unreadable leaves the list incomplete: the
    // readable pages are still checked for ownership, but not against the model's exact set.
    const pages = l.pages.filter((p) => comparable(p));
    if (pages.length === 0) continue;
    const exact = exactFor(l.tenant) && pages.length === l.pages.length;
    const obs: ModelObservation = {
      tenant: l.tenant,
      operationId: l.operationId,
      kind: 'list',
      mode: exact ? 'exact' : 'ownership',
      exchanges: pages.map((p) => p.seq),
      observedIds: pages.flatMap((p) => extractIds(p, l.itemsField, l.idField)),
      resource: l.resource,
    };
    if (exact) obs.expectedIds = world.alive(l.tenant, l.resource).map((r) => r.id);
    out.push(obs);
  }
  // Aggregates: integer fields named after a resource must equal the model's count of it.
  for (const a of view.aggregates) {
    if (!comparable(a.exchange)) continue;
    const exact = exactFor(a.tenant);
    const observed: Record<string, number> = {};
    const expected: Record<string, number> = {};
    const json = a.exchange.response?.json;
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      for (const [name, value] of Object.entries(json)) {
        if (typeof value !== 'number') continue;
        const resource = [...plan.resources.keys()].find((r) => singular(r) === singular(name));
        if (!resource) continue;
        observed[name] = value;
        expected[name] = world.alive(a.tenant, resource).length;
      }
    }
    const obs: ModelObservation = {
      tenant: a.tenant,
      operationId: a.operationId,
      kind: 'aggregate',
      mode: exact ? 'exact' : 'ownership',
      exchanges: [a.exchange.seq],
    };
    if (exact && Object.keys(expected).length > 0) {
      obs.observedAggregates = observed;
      obs.expectedAggregates = expected;
    }
    out.push(obs);
  }
  for (const e of view.exports) {
    if (!comparable(e.exchange)) continue;
    const exact = exactFor(e.tenant);
    const obs: ModelObservation = {
      tenant: e.tenant,
      operationId: e.operationId,
      kind: 'export',
      mode: exact && e.resource ? 'exact' : 'ownership',
      exchanges: [e.exchange.seq],
      observedIds: extractIds(e.exchange, e.itemsField, e.idField),
      ...(e.resource ? { resource: e.resource } : {}),
    };
    if (obs.mode === 'exact' && e.resource) obs.expectedIds = world.alive(e.tenant, e.resource).map((r) => r.id);
    out.push(obs);
  }
  return out;
}

const QUERY_KIND: Readonly<Record<string, ModelQueryKind>> = { list: 'list', search: 'search', export: 'export' };

export const model = defineOracle<ModelObservation>({
  name: 'model',
  title: 'Model agreement',
  rule: "A list, search or export as A that returns a record another tenant owns is a finding that proves itself. At quiescent checkpoints with fresh tenants, and only while every write A made was read back (no 5xx, no lost answer, no unreadable body, every created id learned) and every page of the list is readable, a list, export or count that differs from A's own live records is a finding confirmed when it reproduces on replay.",
  cwes: ['639', '200'],
  controls: ['CC6.1', 'IVS-06', 'V8.4.1', 'API5:2023', 'AC-4'],
  probes: ['list-own', 'canary-search', 'export-check', 'aggregate-check', 'foreign-cursor'],
  checkpoint: true,
  init: stateless,
  gather(m, port): Judged<ModelObservation>[] {
    if (m.kind === 'checkpoint') {
      return checkpointObservations(m.view, port.world, port.plan).map((o) => ({
        operationId: o.operationId,
        relation: 'own',
        input: o,
      }));
    }
    const { step, exchange } = m;
    const kind = QUERY_KIND[step.action];
    if (!kind || !comparable(exchange) || exchange.response!.status >= 300) return [];
    const idField = port.plan.resources.get(step.resource ?? '')?.idField ?? 'id';
    const observedIds = extractIds(exchange, port.plan.byId.get(step.operationId)?.op.itemsField, idField);
    const input: ModelObservation = {
      tenant: step.tenant,
      operationId: step.operationId,
      kind,
      mode: 'ownership',
      exchanges: [exchange.seq],
      observedIds,
      ...(step.resource ? { resource: step.resource } : {}),
    };
    return [
      { operationId: step.operationId, relation: exchange.relation === 'setup' ? 'own' : exchange.relation, input },
    ];
  },
  judge: (observations, ctx) => checkModel(observations, { ownerOf: (v, resource) => ctx.ownerOf(v, resource) }),
});

/**
 * The menu of single commands a campaign draws from, as plain data: for each planned operation, the
 * own calls and probes it gets, and their weights. fast-check's arbitraries are built from it
 * (commands.ts), and so is the campaign's scope (scope.ts), so `inspect` promises exactly what
 * `run` sends.
 */
import type { CampaignPlan, PlannedOperation } from './plan.ts';
import { INJECTION_PROBES, type StepProbe } from './probe.ts';
import type { OwnCommandSpec, QueryMode } from './command-spec.ts';

export type MenuCommand =
  | { kind: 'own'; action: OwnCommandSpec['action']; queryModes?: QueryMode[] }
  | { kind: 'probe'; probe: StepProbe; withBody: boolean };

export interface MenuEntry {
  planned: PlannedOperation;
  command: MenuCommand;
  weight: number;
}

const SEARCH_MODES: QueryMode[] = ['own-canary', 'victim-canary', 'broad'];

export function commandMenu(plan: CampaignPlan, skipProbes?: ReadonlySet<StepProbe>): MenuEntry[] {
  const menu: MenuEntry[] = [];
  const own = (planned: PlannedOperation, action: OwnCommandSpec['action'], weight: number, queryModes?: QueryMode[]) =>
    menu.push({ planned, command: { kind: 'own', action, ...(queryModes ? { queryModes } : {}) }, weight });
  // A probe runs only where spec analysis says it applies (x-tenantproof-skip-probes removes it there).
  const probe = (planned: PlannedOperation, p: StepProbe, weight: number, withBody: boolean) => {
    if (skipProbes?.has(p) !== true && planned.op.probes.includes(p))
      menu.push({ planned, command: { kind: 'probe', probe: p, withBody }, weight });
  };
  const hasBody = (planned: PlannedOperation) => planned.op.requestBody !== undefined;

  for (const c of plan.creates) {
    own(c, 'create', 8);
    if (c.op.consumes.some((u) => u.in === 'body') || c.op.parent) probe(c, 'foreign-reference', 2, true);
    if (c.op.idempotencyHeader) probe(c, 'foreign-idempotency-key', 1, false);
    probe(c, 'foreign-unique-value', 1, true);
  }
  for (const r of plan.reads) {
    own(r, 'read', 2);
    probe(r, 'cross-tenant-read', 4, false);
  }
  for (const u of plan.updates) {
    own(u, 'update', 2);
    probe(u, 'cross-tenant-update', 3, true);
  }
  for (const d of plan.deletes) {
    own(d, 'delete', 1);
    probe(d, 'cross-tenant-delete', 3, false);
  }
  for (const a of plan.actions) {
    own(a, 'action', 1);
    if (a.op.resource) probe(a, 'cross-tenant-action', 1, hasBody(a));
  }
  for (const c of plan.collections) {
    own(c, 'list', 2, c.op.searchParam ? SEARCH_MODES : undefined);
    if (c.op.pagination?.style === 'cursor') probe(c, 'foreign-cursor', 1, false);
  }
  for (const s of plan.searches) own(s, 'search', 4, SEARCH_MODES);
  for (const a of plan.aggregates) own(a, 'aggregate', 2);
  for (const e of plan.exports) own(e, 'export', 2);
  for (const s of plan.singletons) own(s, 'singleton', 1);
  // Every operation gets the tenant-override probes the spec analysis promised for it.
  for (const planned of plan.inScope)
    for (const p of INJECTION_PROBES) probe(planned, p, 1, p === 'body-injection' || hasBody(planned));
  return menu;
}

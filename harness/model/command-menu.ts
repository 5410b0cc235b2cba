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
  | {
      kind: 'own';
      action: OwnCommandSpec['action'];
      queryModes?: QueryMode[];
      /** Walk the list to its last page with a small drawn page size (OwnCommandSpec.paginate). */
      paginate?: boolean;
      /** Send the same read 2 to 8 times in a row (OwnCommandSpec.repeat). */
      repeat?: boolean;
    }
  | { kind: 'probe'; probe: StepProbe; withBody: boolean };

/** A command that sends several steps in a row (a page walk, a repeated read): never inside a concurrent batch. */
export function isMultiStep(command: MenuCommand): boolean {
  return command.kind === 'own' && (command.paginate === true || command.repeat === true);
}

export interface MenuEntry {
  planned: PlannedOperation;
  command: MenuCommand;
  weight: number;
}

const SEARCH_MODES: QueryMode[] = ['own-canary', 'victim-canary', 'broad', 'shared-word'];

/** Whether a list can be walked page by page (openapi/pagination.ts found how it pages). */
function pages(planned: PlannedOperation): boolean {
  const p = planned.op.pagination;
  return p !== undefined && p.style !== 'none' && p.param !== undefined;
}

export function commandMenu(plan: CampaignPlan, skipProbes?: ReadonlySet<StepProbe>): MenuEntry[] {
  const menu: MenuEntry[] = [];
  const own = (
    planned: PlannedOperation,
    action: OwnCommandSpec['action'],
    weight: number,
    queryModes?: QueryMode[],
    flags: { paginate?: true; repeat?: true } = {},
  ) =>
    menu.push({ planned, command: { kind: 'own', action, ...(queryModes ? { queryModes } : {}), ...flags }, weight });
  // Reads sent again and again (a leak that shows once in tens of requests), and lists walked to
  // their last page at any time (later pages, and the cursors they hand out), not only at checkpoints.
  const repeated = (planned: PlannedOperation, action: OwnCommandSpec['action'], queryModes?: QueryMode[]) =>
    own(planned, action, 1, queryModes, { repeat: true });
  const paged = (planned: PlannedOperation, action: OwnCommandSpec['action'], queryModes?: QueryMode[]) => {
    if (pages(planned)) own(planned, action, 1, queryModes, { paginate: true });
  };
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
    repeated(r, 'read');
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
    const modes = c.op.searchParam ? SEARCH_MODES : undefined;
    own(c, 'list', 2, modes);
    paged(c, 'list', modes);
    // A list that filters by text is repeated as a search is (a plain list is walked instead).
    if (c.op.searchParam) repeated(c, 'list', modes);
    if (c.op.pagination?.style === 'cursor') probe(c, 'foreign-cursor', 1, false);
  }
  for (const s of plan.searches) {
    own(s, 'search', 4, SEARCH_MODES);
    paged(s, 'search', SEARCH_MODES);
    repeated(s, 'search', SEARCH_MODES);
  }
  for (const a of plan.aggregates) {
    own(a, 'aggregate', 2);
    repeated(a, 'aggregate');
  }
  for (const e of plan.exports) own(e, 'export', 2);
  for (const s of plan.singletons) own(s, 'singleton', 1);
  // Every operation gets the tenant-override probes the spec analysis promised for it.
  for (const planned of plan.inScope)
    for (const p of INJECTION_PROBES) probe(planned, p, 1, p === 'body-injection' || hasBody(planned));
  return menu;
}

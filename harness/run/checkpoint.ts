/**
 * A quiescent point: nothing else is in flight, so every tenant's full view must equal the model
 * exactly. Each tenant walks every top-level collection to the end, reads each aggregate and
 * export, and reads its audit log. Each page is judged as it arrives (like any exchange); the whole
 * view is then judged by the oracles that judge checkpoints (model, audit).
 */
import type { Exchange, TenantLabel } from '../model/exchange.ts';
import type { AuditLogRead, CheckpointView } from '../model/checkpoint-view.ts';
import { checkpointStep, cursorSwapStep } from '../model/checkpoint-steps.ts';
import type { PlannedOperation } from '../model/plan.ts';
import type { Step, StepValue } from '../model/step.ts';
import { getPath } from '../model/resolve-step.ts';
import { itemsOf } from '../model/extract-ids.ts';
import type { Executor } from './executor.ts';
import type { World } from '../model/world.ts';
import type { CampaignPlan } from '../model/plan.ts';
import { singularize } from '../openapi/naming.ts';
import { TIME_BAND_START, widenTimeWindows } from '../model/value-source.ts';

const singular = (name: string): string => singularize(name.toLowerCase());

const MAX_PAGES = 20;

export interface CheckpointOptions {
  pageSize: number;
  /** Whether the model knows every record each tenant owns (fresh tenants). Exact checks need it. */
  completeModel: boolean;
}

/** What the checkpoint needs of a run. */
export interface CheckpointRun {
  executor: Executor;
  world: World;
  plan: CampaignPlan;
}

async function send(executor: Executor, step: Step): Promise<Exchange | undefined> {
  const outcome = await executor.run(step);
  return outcome.kind === 'sent' ? outcome.exchange : undefined;
}

/**
 * Walks a collection (or audit log) to its last page, or until `enough` says the pages read so far
 * suffice; returns the exchanges.
 */
async function walk(
  executor: Executor,
  tenant: TenantLabel,
  planned: PlannedOperation,
  action: Step['action'],
  pageSize: number,
  base: Record<string, StepValue> = {},
  enough?: (pages: readonly Exchange[]) => boolean,
): Promise<Exchange[]> {
  const op = planned.op;
  const pages: Exchange[] = [];
  const query: Record<string, StepValue> = { ...base };
  const p = op.pagination;
  // A small first page, so that every tenant with a few records holds a cursor (for the
  // cursor-swap probe below); large pages after it. Page-numbered lists keep one size throughout,
  // or page 2 of a larger size would skip records.
  if (p?.limitParam) query[p.limitParam] = p.style === 'page' ? 100 : pageSize;
  let offset = 0;
  let pageNumber = 1;
  for (let page = 0; page < MAX_PAGES; page++) {
    const sentLimit = p?.limitParam ? Number(query[p.limitParam]) : undefined;
    const ex = await send(executor, checkpointStep(tenant, planned, action, { ...query }));
    if (p?.limitParam) query[p.limitParam] = 100;
    if (!ex) break;
    pages.push(ex);
    if (!ex.response || ex.response.status >= 300 || !p || !p.param) break;
    if (enough?.(pages)) break;
    if (p.style === 'cursor') {
      if (!p.nextField) break;
      const next = getPath(ex.response.json, p.nextField);
      if (typeof next !== 'string' || next.length === 0) break;
      query[p.param] = next;
    } else if (p.style === 'offset' || p.style === 'page') {
      // No cursor: read on while full pages come back.
      const items = itemsOf(ex.response.json, op.itemsField);
      const count = Array.isArray(items) ? items.length : 0;
      if (count === 0 || (sentLimit !== undefined && count < sentLimit)) break;
      offset += count;
      pageNumber += 1;
      query[p.param] = p.style === 'offset' ? offset : pageNumber;
    } else break;
  }
  return pages;
}

export async function runCheckpoint(run: CheckpointRun, options: CheckpointOptions): Promise<void> {
  const { executor, world, plan } = run;
  const view: CheckpointView = {
    completeModel: options.completeModel,
    lists: [],
    aggregates: [],
    exports: [],
    audits: [],
  };
  // Operation by operation, every tenant in turn: adjacent requests from different tenants are
  // what expose state that outlives a request (a session-level SET on a pooled connection, a
  // cache, a module-global context).
  // Collections without a parent: every own record of the resource must come back, nothing else.
  for (const planned of plan.collections) {
    if (Object.keys(planned.pathResources).length > 0 || !planned.op.resource) continue;
    const required = requiredWindowQuery(planned);
    if (!required) continue;
    for (const tenant of world.labels) {
      const pages = await walk(executor, tenant, planned, 'list', options.pageSize, required);
      if (pages.length === 0 || pages.some((p) => !p.response || p.response.status >= 300)) continue;
      const idField = plan.resources.get(planned.op.resource)?.idField ?? 'id';
      view.lists.push({
        tenant,
        operationId: planned.op.operationId,
        resource: planned.op.resource,
        pages,
        ...(planned.op.itemsField !== undefined ? { itemsField: planned.op.itemsField } : {}),
        idField,
      });
    }
    await swapCursors(run, planned, required, options.pageSize);
  }
  for (const planned of plan.aggregates) {
    if (planned.op.parameters.some((p) => p.required)) continue;
    for (const tenant of world.labels) {
      const ex = await send(executor, checkpointStep(tenant, planned, 'aggregate', {}));
      if (ex?.response && ex.response.status < 300)
        view.aggregates.push({ tenant, operationId: planned.op.operationId, exchange: ex });
    }
  }
  // Exports: one per value of an enum parameter that names a resource.
  for (const planned of plan.exports) {
    for (const variant of exportVariants(planned, [...plan.resources.keys()])) {
      for (const tenant of world.labels) {
        const ex = await send(executor, checkpointStep(tenant, planned, 'export', variant.query));
        if (!ex?.response || ex.response.status >= 300) continue;
        const idField = variant.resource ? (plan.resources.get(variant.resource)?.idField ?? 'id') : 'id';
        view.exports.push({
          tenant,
          operationId: planned.op.operationId,
          exchange: ex,
          ...(variant.resource ? { resource: variant.resource } : {}),
          ...(planned.op.itemsField !== undefined ? { itemsField: planned.op.itemsField } : {}),
          idField,
        });
      }
    }
  }
  // The audit log, read last by every tenant, after all their other requests.
  for (const planned of plan.audits) {
    for (const tenant of world.labels) {
      const log = await readAuditLog(executor, world, tenant, planned, options.pageSize);
      if (log) view.audits.push(log);
    }
  }
  await executor.judgeCheckpoint(view);
}

async function readAuditLog(
  executor: Executor,
  world: World,
  tenant: TenantLabel,
  planned: PlannedOperation,
  pageSize: number,
): Promise<AuditLogRead | undefined> {
  const requests = executor.exchanges
    .filter((e) => e.tenant === tenant && e.response && e.response.headers['x-request-id'])
    .map((e) => ({ requestId: e.response!.headers['x-request-id']!, seq: e.seq, operationId: e.operationId }));
  // A long-lived pool tenant's log holds its earlier runs too (thousands of events after minutes).
  // Once the pages read hold every request of this run and reach a request of its last earlier run,
  // the rest is older than this run: nothing in it can be this run's, and the log counts as read.
  // (A log listed oldest first never gets there before its last page: it is read as usual.)
  const earlier = world.tenant(tenant).earlierRequestIds;
  let reachedEarlier = false;
  const enough =
    earlier && earlier.size > 0
      ? (pages: readonly Exchange[]): boolean => {
          const seen = new Set(pages.flatMap((p) => stringsIn(p.response?.json)));
          reachedEarlier = requests.every((r) => seen.has(r.requestId)) && [...earlier].some((id) => seen.has(id));
          return reachedEarlier;
        }
      : undefined;
  const pages = await walk(executor, tenant, planned, 'audit', pageSize, {}, enough);
  if (pages.length === 0 || pages.some((p) => !p.response || p.response.status >= 300)) return undefined;
  const last = pages.at(-1)!.response!.json;
  const complete = reachedEarlier || !last || getPath(last, planned.op.pagination?.nextField ?? 'nextCursor') == null;
  return { tenant, operationId: planned.op.operationId, pages, complete, requests };
}

/** Every string in a JSON value. */
function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringsIn(x, out);
  return out;
}

/**
 * Each tenant asks for the next page of a list with the cursor the previous tenant was given. A
 * cursor must be bound to its tenant: a clean API rejects it (or ignores it), a leaky one serves
 * the victim's page, which the foreign-data oracle sees.
 */
async function swapCursors(
  run: CheckpointRun,
  planned: PlannedOperation,
  base: Record<string, StepValue>,
  pageSize: number,
): Promise<void> {
  const labels = run.world.labels;
  for (const [i, tenant] of labels.entries()) {
    const victim = labels[(i + labels.length - 1) % labels.length]!;
    const used = run.world.tenant(victim).cursors.get(planned.op.operationId);
    if (!used || victim === tenant) continue;
    const probe = cursorSwapStep(tenant, victim, planned, base, pageSize, used.step);
    if (probe) await run.executor.run(probe);
  }
}

/**
 * The required query of a collection, when the checkpoint can supply it: nothing required, or
 * only a date-time window (`from`/`to` and kin), which spans the whole time band. Undefined when
 * the collection needs something else.
 */
function requiredWindowQuery(planned: PlannedOperation): Record<string, StepValue> | undefined {
  const required = planned.op.parameters.filter((p) => p.required && p.in === 'query');
  if (required.length === 0) return {};
  const band = new Date(TIME_BAND_START).toISOString();
  const query: Record<string, unknown> = {};
  for (const p of required) {
    if ((p.schema as { format?: unknown } | undefined)?.format !== 'date-time') return undefined;
    query[p.name] = band;
  }
  widenTimeWindows(query);
  return Object.values(query).every((v) => v !== band) ? (query as Record<string, StepValue>) : undefined;
}

/** Query variants for an export: each resource-naming enum value, JSON-ish formats preferred. */
function exportVariants(
  planned: PlannedOperation,
  resources: string[],
): { query: Record<string, StepValue>; resource?: string }[] {
  const required = planned.op.parameters.filter((p) => p.in === 'query' && p.required);
  const enumOf = (schema: unknown): string[] => {
    const e = (schema as { enum?: unknown[] } | undefined)?.enum;
    return Array.isArray(e) ? e.filter((x): x is string => typeof x === 'string') : [];
  };
  const resourceParam = required.find((p) =>
    enumOf(p.schema).some((v) => resources.some((r) => singular(r) === singular(v))),
  );
  const base: Record<string, StepValue> = {};
  for (const p of required) {
    if (p === resourceParam) continue;
    const values = enumOf(p.schema);
    if (values.length === 0) return [];
    base[p.name] = values.find((v) => /json/i.test(v)) ?? (values[0] as string);
  }
  if (!resourceParam) return required.length === Object.keys(base).length ? [{ query: base }] : [];
  return enumOf(resourceParam.schema).map((value) => {
    const resource = resources.find((r) => singular(r) === singular(value));
    return resource
      ? { query: { ...base, [resourceParam.name]: value }, resource }
      : { query: { ...base, [resourceParam.name]: value } };
  });
}

/**
 * A quiescent point: nothing else is in flight, so every tenant's full view must equal the model
 * exactly. Each tenant walks every top-level collection to the end, reads each aggregate and
 * export, and reads its audit log; the model, audit and foreign-data oracles judge the results.
 */
import type { Exchange, TenantLabel } from '../model/exchange.ts';
import type { PlannedOperation } from '../model/plan.ts';
import type { Step, StepValue } from '../model/step.ts';
import { getPath } from '../model/resolve-step.ts';
import { checkModel, type ModelObservation } from '../oracles/model.ts';
import { checkAudit, type TenantAuditView } from '../oracles/audit.ts';
import { extractIds, StepSkipped, type Executor } from './executor.ts';
import { singularize } from '../openapi/naming.ts';
import { TIME_BAND_START, widenTimeWindows } from '../model/value-source.ts';

const singular = (name: string): string => singularize(name.toLowerCase());

const MAX_PAGES = 20;

export interface CheckpointOptions {
  pageSize: number;
  /** Whether the model knows every record each tenant owns (fresh tenants). Exact checks need it. */
  completeModel: boolean;
}

function step(
  tenant: TenantLabel,
  planned: PlannedOperation,
  action: Step['action'],
  query: Record<string, StepValue>,
): Step {
  const s: Step = {
    index: -1,
    tenant,
    operationId: planned.op.operationId,
    action,
    relation: 'own',
    method: planned.op.method.toUpperCase(),
    path: planned.op.path,
    pathParams: {},
    query,
    headers: {},
  };
  if (planned.op.resource !== undefined) s.resource = planned.op.resource;
  return s;
}

/** Walks a collection (or audit log) to its last page; returns the exchanges. */
async function walk(
  executor: Executor,
  tenant: TenantLabel,
  planned: PlannedOperation,
  action: Step['action'],
  pageSize: number,
  base: Record<string, StepValue> = {},
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
    const ex = await executor.run(step(tenant, planned, action, { ...query }));
    if (p?.limitParam) query[p.limitParam] = 100;
    if (!ex) break;
    pages.push(ex);
    if (!ex.response || ex.response.status >= 300 || !p || !p.param) break;
    if (p.style === 'cursor') {
      if (!p.nextField) break;
      const next = getPath(ex.response.json, p.nextField);
      if (typeof next !== 'string' || next.length === 0) break;
      query[p.param] = next;
    } else if (p.style === 'offset' || p.style === 'page') {
      // No cursor: read on while full pages come back.
      const items = getPath(ex.response.json, op.itemsField ?? '');
      const count = Array.isArray(items) ? items.length : 0;
      if (count === 0 || (sentLimit !== undefined && count < sentLimit)) break;
      offset += count;
      pageNumber += 1;
      query[p.param] = p.style === 'offset' ? offset : pageNumber;
    } else break;
  }
  return pages;
}

export async function runCheckpoint(executor: Executor, options: CheckpointOptions): Promise<void> {
  const world = executor.world;
  const plan = executor.plan;
  const observations: ModelObservation[] = [];
  const auditViews: TenantAuditView[] = [];
  try {
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
        const observedIds = pages.flatMap((p) => extractIds(p, planned.op.itemsField, idField));
        const obs: ModelObservation = {
          tenant,
          operationId: planned.op.operationId,
          kind: 'list',
          mode: options.completeModel ? 'exact' : 'ownership',
          exchanges: pages.map((p) => p.seq),
          observedIds,
          resource: planned.op.resource,
        };
        if (options.completeModel) obs.expectedIds = world.alive(tenant, planned.op.resource).map((r) => r.id);
        observations.push(obs);
      }
      await swapCursors(executor, planned, required, options.pageSize);
    }
    // Aggregates: integer fields named after a resource must equal the model's count of it.
    for (const planned of plan.aggregates) {
      if (planned.op.parameters.some((p) => p.required)) continue;
      for (const tenant of world.labels) {
        const ex = await executor.run(step(tenant, planned, 'aggregate', {}));
        if (!ex?.response || ex.response.status >= 300) continue;
        const observed: Record<string, number> = {};
        const expected: Record<string, number> = {};
        const json = ex.response.json;
        if (json && typeof json === 'object' && !Array.isArray(json)) {
          for (const [name, value] of Object.entries(json)) {
            if (typeof value !== 'number') continue;
            const resource = [...plan.resources.keys()].find((r) => singular(r) === singular(name));
            if (!resource) continue;
            observed[name] = value;
            expected[name] = world.alive(tenant, resource).length;
          }
        }
        const obs: ModelObservation = {
          tenant,
          operationId: planned.op.operationId,
          kind: 'aggregate',
          mode: options.completeModel ? 'exact' : 'ownership',
          exchanges: [ex.seq],
        };
        if (options.completeModel && Object.keys(expected).length > 0) {
          obs.observedAggregates = observed;
          obs.expectedAggregates = expected;
        }
        observations.push(obs);
      }
    }
    // Exports: one per value of an enum parameter that names a resource.
    for (const planned of plan.exports) {
      for (const variant of exportVariants(planned, [...plan.resources.keys()])) {
        for (const tenant of world.labels) {
          const ex = await executor.run(step(tenant, planned, 'export', variant.query));
          if (!ex?.response || ex.response.status >= 300) continue;
          const idField = variant.resource ? (plan.resources.get(variant.resource)?.idField ?? 'id') : 'id';
          const obs: ModelObservation = {
            tenant,
            operationId: planned.op.operationId,
            kind: 'export',
            mode: options.completeModel && variant.resource ? 'exact' : 'ownership',
            exchanges: [ex.seq],
            observedIds: extractIds(ex, planned.op.itemsField, idField),
            ...(variant.resource ? { resource: variant.resource } : {}),
          };
          if (obs.mode === 'exact' && variant.resource)
            obs.expectedIds = world.alive(tenant, variant.resource).map((r) => r.id);
          observations.push(obs);
        }
      }
    }
    // The audit log, read last by every tenant, after all their other requests.
    for (const planned of plan.audits) {
      for (const tenant of world.labels) {
        const made = executor.exchanges
          .filter((e) => e.tenant === tenant && e.response && e.response.headers['x-request-id'])
          .map((e) => ({ requestId: e.response!.headers['x-request-id']!, seq: e.seq, operationId: e.operationId }));
        const pages = await walk(executor, tenant, planned, 'audit', options.pageSize);
        if (pages.length === 0 || pages.some((p) => !p.response || p.response.status >= 300)) continue;
        const complete =
          !pages.at(-1)?.response?.json ||
          getPath(pages.at(-1)!.response!.json, planned.op.pagination?.nextField ?? 'nextCursor') == null;
        const logged = pages.flatMap((p) => stringsIn(p.response?.json));
        auditViews.push({
          tenant,
          // Only demand completeness when the whole log was read.
          made: complete ? made.filter((m) => !pages.some((p) => p.seq === m.seq)) : [],
          logged,
          logExchanges: pages.map((p) => p.seq),
          logOperationId: planned.op.operationId,
        });
      }
    }
  } catch (err) {
    if (!(err instanceof StepSkipped)) throw err;
  }
  const modelFindings = checkModel(observations, { ownerOf: (v, resource) => executor.ownerOf(v, resource) });
  for (const o of observations) executor.recordCoverage(o.operationId, 'model', 'own');
  executor.findings.push(...modelFindings);
  if (auditViews.length > 0) {
    executor.findings.push(...checkAudit(auditViews));
    for (const v of auditViews) executor.recordCoverage(v.logOperationId, 'audit', 'own');
  }
}

/**
 * Each tenant asks for the next page of a list with the cursor the previous tenant was given. A
 * cursor must be bound to its tenant: a clean API rejects it (or ignores it), a leaky one serves
 * the victim's page, which the foreign-data oracle sees.
 */
async function swapCursors(
  executor: Executor,
  planned: PlannedOperation,
  base: Record<string, StepValue>,
  pageSize: number,
): Promise<void> {
  const p = planned.op.pagination;
  if (p?.style !== 'cursor' || !p.param || !p.nextField) return;
  const labels = executor.world.labels;
  for (const [i, tenant] of labels.entries()) {
    const victim = labels[(i + labels.length - 1) % labels.length]!;
    const used = executor.world.tenant(victim).cursors.get(planned.op.operationId);
    if (!used || victim === tenant) continue;
    const probe = step(tenant, planned, 'list', {
      ...base,
      ...(p.limitParam ? { [p.limitParam]: pageSize } : {}),
      [p.param]: { $from: used.step, path: p.nextField },
    });
    probe.relation = 'foreign';
    probe.probe = 'foreign-cursor';
    probe.victim = victim;
    await executor.run(probe);
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

function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringsIn(x, out);
  return out;
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

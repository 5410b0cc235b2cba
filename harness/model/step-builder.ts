/**
 * Turns a command spec into a concrete Step against the current world: picks the tenant's own
 * records (or a victim's, for probes), fills path parameters and id-bearing body fields with
 * references to the steps that created those records, and adds the probe's twist (a victim's
 * cursor, idempotency key, unique value or tenant id).
 *
 * Returns undefined when the world cannot support the command (no record to act on); fast-check
 * then skips it, which keeps shrunk sequences meaningful.
 */
import type { TenantLabel } from './exchange.ts';
import type { OwnCommandSpec, ProbeCommandSpec, QueryMode } from './command-spec.ts';
import type { CampaignPlan, PlannedOperation } from './plan.ts';
import type { Step, StepValue, ValueRef } from './step.ts';
import type { RecordState, World } from './world.ts';
import { INJECTION_PROBES } from './probe.ts';
import { applyOverride, fillOwnTenantFields } from './tenant-field-steps.ts';
import { sharedWord } from './shared-word.ts';
import type { TenantField } from '../openapi/tenant-fields.ts';

/** The prefix every canary starts with; searching for it must return only the caller's records. */
export const CANARY_PREFIX = 'tp';

export interface StepBuilderContext {
  plan: CampaignPlan;
  world: World;
  labels: readonly TenantLabel[];
  /** Page size used for list steps, small so that pagination (and cursors) are exercised. */
  pageSize: number;
  /** Tenant fields to override beyond the spec's and the defaults (config `tenantFields`, JWT claim names). */
  tenantFields?: readonly TenantField[];
}

function refTo(record: RecordState): ValueRef {
  return { $from: record.createdBy, path: record.idField };
}

function tenantAt(ctx: StepBuilderContext, i: number): TenantLabel {
  return ctx.labels[i % ctx.labels.length] as TenantLabel;
}

/**
 * The victim: the `v`-th tenant other than the attacker, among those that have a live record of
 * `resource` when the probe needs one (so a probe is not wasted on a tenant with nothing to aim at).
 */
export function victimOf(ctx: StepBuilderContext, attacker: TenantLabel, v: number, resource?: string): TenantLabel {
  const others = ctx.labels.filter((l) => l !== attacker);
  const armed = resource === undefined ? others : others.filter((l) => ctx.world.alive(l, resource).length > 0);
  const pool = armed.length > 0 ? armed : others;
  return pool[v % pool.length] as TenantLabel;
}

/** The resource whose record a probe aims at, if it aims at one. */
function probeTarget(planned: PlannedOperation, probe: ProbeCommandSpec['probe']): string | undefined {
  const op = planned.op;
  switch (probe) {
    case 'cross-tenant-read':
    case 'cross-tenant-update':
    case 'cross-tenant-delete':
    case 'cross-tenant-action':
      return op.resource;
    case 'foreign-reference': {
      const parentParam = op.parent?.param;
      if (parentParam && planned.pathResources[parentParam]) return planned.pathResources[parentParam];
      return op.consumes.find((c) => c.in === 'body')?.resource;
    }
    default:
      return undefined;
  }
}

/** The action an own step of each kind is (items have their own item action). */
const ACTION_OF_KIND: Partial<Record<string, Step['action']>> = {
  search: 'search',
  aggregate: 'aggregate',
  export: 'export',
  audit: 'audit',
  singleton: 'singleton',
};

function baseStep(
  ctx: StepBuilderContext,
  planned: PlannedOperation,
  tenant: TenantLabel,
  action: Step['action'],
): Step {
  const op = planned.op;
  const step: Step = {
    index: ctx.world.steps.length,
    tenant,
    operationId: op.operationId,
    action,
    relation: 'own',
    method: op.method.toUpperCase(),
    path: op.path,
    pathParams: {},
    query: {},
    headers: {},
  };
  if (op.resource !== undefined) step.resource = op.resource;
  return step;
}

/**
 * Fills the path parameters. The item's own parameter takes `target` (when given); parent and
 * other parameters take the target's parent, or a record of `owner` picked by `selector`.
 */
function fillPath(
  ctx: StepBuilderContext,
  step: Step,
  planned: PlannedOperation,
  owner: TenantLabel,
  selector: number,
  target?: RecordState,
): boolean {
  const op = planned.op;
  for (const [param, resource] of Object.entries(planned.pathResources)) {
    let record: RecordState | undefined;
    if (target && resource === target.resource && (!op.parent || op.parent.param !== param)) record = target;
    else if (target?.parent && target.parent.resource === resource) {
      const parent = ctx.world.tenant(owner).records.find((r) => r.createdBy === target.parent!.createdBy);
      record = parent;
    } else record = ctx.world.pick(owner, resource, selector);
    if (!record) return false;
    step.pathParams[param] = refTo(record);
  }
  return true;
}

function setDotted(body: Record<string, unknown>, dotted: string, value: StepValue): boolean {
  if (dotted.includes('[]')) return false; // ids inside arrays are left as generated
  const parts = dotted.split('.');
  let cur: Record<string, unknown> = body;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) return false;
    cur = next as Record<string, unknown>;
  }
  cur[parts[parts.length - 1] as string] = value;
  return true;
}

/** Replaces id-bearing body fields with references to the owner's records. */
function fillBodyIds(
  ctx: StepBuilderContext,
  planned: PlannedOperation,
  body: unknown,
  owner: TenantLabel,
  selector: number,
  override?: { name: string; record: RecordState },
): StepValue | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body as StepValue;
  const copy = structuredClone(body) as Record<string, unknown>;
  for (const use of planned.op.consumes.filter((c) => c.in === 'body')) {
    const record =
      override && override.name === use.name ? override.record : ctx.world.pick(owner, use.resource, selector);
    // No record to point at yet: the command waits until one exists (sending a dangling or
    // missing id only earns a 400 or 404 and tests nothing).
    if (!record) return undefined;
    setDotted(copy, use.name, use.many ? [refTo(record)] : refTo(record));
  }
  return copy as StepValue;
}

/** A body whose id-bearing fields could not be filled (see fillBodyIds) means the command cannot run yet. */
function bodyIsComplete(
  _planned: PlannedOperation,
  body: StepValue | undefined,
  _owner: TenantLabel,
  _ctx: StepBuilderContext,
): boolean {
  return body !== undefined;
}

function applyQuery(
  ctx: StepBuilderContext,
  step: Step,
  planned: PlannedOperation,
  values: Record<string, unknown>,
  mode: QueryMode | undefined,
  victim: TenantLabel | undefined,
  pageSize = ctx.pageSize,
): boolean {
  const op = planned.op;
  for (const [k, v] of Object.entries(values)) {
    if (planned.pathResources[k]) continue;
    step.query[k] = v as StepValue;
  }
  // Pagination: start at the first page, with a small page so that cursors appear.
  if (op.pagination?.param) delete step.query[op.pagination.param];
  if (op.pagination?.limitParam) step.query[op.pagination.limitParam] = pageSize;
  if (op.searchParam && mode) {
    const q = queryText(ctx, step.tenant, mode, victim, Number(values['__pick'] ?? 0));
    if (q === undefined) return false;
    step.query[op.searchParam] = q;
  } else if (op.searchParam && op.kind === 'search' && step.query[op.searchParam] === undefined) {
    return false;
  }
  delete step.query['__pick'];
  return true;
}

function queryText(
  ctx: StepBuilderContext,
  tenant: TenantLabel,
  mode: QueryMode,
  victim: TenantLabel | undefined,
  pick: number,
): string | undefined {
  if (mode === 'broad') return CANARY_PREFIX;
  if (mode === 'shared-word') return victim ? sharedWord(ctx.world, tenant, victim, pick) : undefined;
  const owner = mode === 'own-canary' ? tenant : victim;
  if (!owner) return undefined;
  const canaries = ctx.world.tenant(owner).canaries;
  if (canaries.length === 0) return undefined;
  return canaries[pick % canaries.length];
}

function idempotencyKey(ctx: StepBuilderContext, planned: PlannedOperation, step: Step, nonce: string): void {
  const header = planned.op.idempotencyHeader;
  if (header && step.method === 'POST') step.headers[header] = `tpidem${step.tenant}${nonce}`;
}

/**
 * Which of a tenant's users sends a command (when it has several: an admin and a member), read off
 * the command's nonce so the choice is part of the generated command and shrinks and replays with it.
 */
function userFor(ctx: StepBuilderContext, tenant: TenantLabel, nonce: string): number | undefined {
  const users = ctx.world.tenant(tenant).roles.length;
  if (users <= 1) return undefined;
  let h = 0;
  for (let i = 0; i < nonce.length; i++) h = (h * 31 + nonce.charCodeAt(i)) >>> 0;
  return h % users;
}

const VECTOR_OF = {
  'header-injection': 'header',
  'query-injection': 'query',
  'body-injection': 'body',
  'path-injection': 'path',
} as const;

/** A drawn page size within the page-size parameter's own bounds, where its schema states them inline. */
export function pageSizeFor(planned: PlannedOperation, drawn: number): number {
  const name = planned.op.pagination?.limitParam;
  const schema = planned.op.parameters.find((p) => p.in === 'query' && p.name === name)?.schema as
    { minimum?: unknown; maximum?: unknown } | undefined;
  let size = Math.max(1, Math.floor(drawn));
  if (typeof schema?.minimum === 'number') size = Math.max(size, Math.ceil(schema.minimum));
  if (typeof schema?.maximum === 'number') size = Math.min(size, Math.floor(schema.maximum));
  return size;
}

export function buildOwnStep(ctx: StepBuilderContext, spec: OwnCommandSpec): Step | undefined {
  const planned = ctx.plan.byId.get(spec.operationId);
  if (!planned) return undefined;
  const tenant = tenantAt(ctx, spec.tenant);
  const step = baseStep(ctx, planned, tenant, spec.action);
  const user = userFor(ctx, tenant, spec.values.nonce);
  if (user !== undefined) step.user = user;
  const op = planned.op;
  let target: RecordState | undefined;
  if (
    ['read', 'update', 'delete', 'action'].includes(spec.action) &&
    op.resource &&
    planned.pathResources &&
    Object.values(planned.pathResources).includes(op.resource)
  ) {
    target = ctx.world.pick(tenant, op.resource, spec.selector);
    if (!target) return undefined;
    step.recordFrom = target.createdBy;
  }
  if (!fillPath(ctx, step, planned, tenant, spec.selector, target)) return undefined;
  // A victim's canary names the victim's data (a probe); a shared word is the tenant's own question.
  const victim =
    spec.queryMode === 'victim-canary' || spec.queryMode === 'shared-word'
      ? victimOf(ctx, tenant, spec.victim ?? 0, spec.queryMode === 'shared-word' ? op.resource : undefined)
      : undefined;
  if (victim && spec.queryMode === 'victim-canary') {
    step.relation = 'foreign';
    step.probe = 'canary-search';
    step.victim = victim;
  }
  const pageSize = spec.paginate ? pageSizeFor(planned, spec.paginate.pageSize) : ctx.pageSize;
  if (!applyQuery(ctx, step, planned, spec.values.query, spec.queryMode, victim, pageSize)) return undefined;
  if (op.requestBody && spec.values.body !== undefined) {
    const body = fillBodyIds(ctx, planned, spec.values.body, tenant, spec.selector);
    if (!bodyIsComplete(planned, body, tenant, ctx)) return undefined;
    if (body !== undefined) step.body = body;
  } else if (op.requestBody?.required) return undefined;
  fillOwnTenantFields(ctx.world, step, planned);
  idempotencyKey(ctx, planned, step, spec.values.nonce);
  return step;
}

export function buildProbeStep(ctx: StepBuilderContext, spec: ProbeCommandSpec): Step | undefined {
  const step = buildProbe(ctx, spec);
  // The attacker's own request names its own tenant where the spec has tenant fields (an override
  // probe has named the victim already; a replayed idempotency key keeps the victim's request).
  if (step && step.relation === 'foreign' && spec.probe !== 'foreign-idempotency-key')
    fillOwnTenantFields(ctx.world, step, ctx.plan.byId.get(spec.operationId)!);
  return step;
}

function buildProbe(ctx: StepBuilderContext, spec: ProbeCommandSpec): Step | undefined {
  const planned = ctx.plan.byId.get(spec.operationId);
  if (!planned) return undefined;
  const op = planned.op;
  const attacker = tenantAt(ctx, spec.tenant);
  const victim = victimOf(ctx, attacker, spec.victim, probeTarget(planned, spec.probe));
  if (victim === attacker) return undefined;
  const actionFor: Record<string, Step['action']> = {
    'cross-tenant-read': 'read',
    'cross-tenant-update': 'update',
    'cross-tenant-delete': 'delete',
  };
  const natural: Step['action'] =
    op.kind === 'item'
      ? (op.itemAction ?? 'read')
      : op.kind === 'collection'
        ? 'list'
        : op.produces
          ? 'create'
          : (ACTION_OF_KIND[op.kind] ?? 'action');
  const step = baseStep(ctx, planned, attacker, actionFor[spec.probe] ?? natural);
  const user = userFor(ctx, attacker, spec.values.nonce);
  if (user !== undefined) step.user = user;
  step.relation = INJECTION_PROBES.includes(spec.probe) ? 'injected' : 'foreign';
  step.probe = spec.probe;
  step.victim = victim;

  switch (spec.probe) {
    case 'cross-tenant-read':
    case 'cross-tenant-update':
    case 'cross-tenant-delete':
    case 'cross-tenant-action': {
      if (!op.resource) return undefined;
      const target = ctx.world.pick(victim, op.resource, spec.selector);
      if (!target) return undefined;
      step.recordFrom = target.createdBy;
      if (!fillPath(ctx, step, planned, victim, spec.selector, target)) return undefined;
      if (spec.probe === 'cross-tenant-update' || (spec.probe === 'cross-tenant-action' && op.requestBody)) {
        if (spec.values.body === undefined) {
          if (op.requestBody?.required) return undefined;
        } else step.body = fillBodyIds(ctx, planned, spec.values.body, attacker, spec.selector);
      }
      idempotencyKey(ctx, planned, step, spec.values.nonce);
      return step;
    }
    case 'foreign-reference': {
      // Create (or act) as the attacker, but point one id at the victim's record.
      const parentParam = op.parent?.param;
      if (parentParam && planned.pathResources[parentParam]) {
        const parent = ctx.world.pick(victim, planned.pathResources[parentParam] as string, spec.selector);
        if (!parent) return undefined;
        step.pathParams[parentParam] = refTo(parent);
        step.target = { in: 'path', name: parentParam, resource: parent.resource };
        for (const [param, resource] of Object.entries(planned.pathResources)) {
          if (param === parentParam) continue;
          const own = ctx.world.pick(attacker, resource, spec.selector);
          if (!own) return undefined;
          step.pathParams[param] = refTo(own);
        }
        if (op.requestBody) step.body = fillBodyIds(ctx, planned, spec.values.body ?? {}, attacker, spec.selector);
      } else {
        const use = op.consumes.find((c) => c.in === 'body');
        if (!use || spec.values.body === undefined) return undefined;
        const record = ctx.world.pick(victim, use.resource, spec.selector);
        if (!record) return undefined;
        if (!fillPath(ctx, step, planned, attacker, spec.selector)) return undefined;
        step.body = fillBodyIds(ctx, planned, spec.values.body, attacker, spec.selector, { name: use.name, record });
        if (!bodyIsComplete(planned, step.body, attacker, ctx)) return undefined;
        step.target = { in: 'body', name: use.name, resource: use.resource, ...(use.many ? { many: true } : {}) };
      }
      idempotencyKey(ctx, planned, step, spec.values.nonce);
      return step;
    }
    case 'foreign-cursor': {
      const cursorParam = op.pagination?.param;
      const used = ctx.world.tenant(victim).cursors.get(op.operationId);
      if (!cursorParam || !used || op.pagination?.style !== 'cursor') return undefined;
      if (Object.keys(planned.pathResources).length > 0) {
        // A nested list: the attacker asks for its own parent's list with the victim's cursor.
        if (!fillPath(ctx, step, planned, attacker, spec.selector)) return undefined;
      }
      if (op.pagination.limitParam) step.query[op.pagination.limitParam] = ctx.pageSize;
      step.query[cursorParam] = { $from: used.step, path: op.pagination.nextField ?? 'nextCursor' };
      return step;
    }
    case 'foreign-idempotency-key': {
      const header = op.idempotencyHeader;
      const used = ctx.world.tenant(victim).idempotencyKeys.filter((k) => k.operationId === op.operationId);
      if (!header || used.length === 0) return undefined;
      const chosen = used[spec.selector % used.length]!;
      const original = ctx.world.steps[chosen.step];
      if (!original) return undefined;
      // The same request the victim sent (so a key-only store would replay it), with the victim's key.
      step.pathParams = structuredClone(original.pathParams);
      step.query = structuredClone(original.query);
      if (original.body !== undefined) step.body = structuredClone(original.body);
      step.headers[header] = chosen.value;
      return step;
    }
    case 'foreign-unique-value': {
      // A value the attacker already sent (an earlier probe) is now its own too: reusing it proves nothing.
      const values = ctx.world
        .tenant(victim)
        .uniqueValues.filter((u) => u.operationId === op.operationId && !ctx.world.knownTo(attacker, u.value));
      if (values.length === 0 || spec.values.body === undefined) return undefined;
      const chosen = values[spec.selector % values.length]!;
      if (!fillPath(ctx, step, planned, attacker, spec.selector)) return undefined;
      const body = fillBodyIds(ctx, planned, spec.values.body, attacker, spec.selector);
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
      (body as Record<string, StepValue>)[chosen.field] = chosen.value;
      if (!bodyIsComplete(planned, body, attacker, ctx)) return undefined;
      step.body = body;
      step.uniqueField = chosen.field;
      idempotencyKey(ctx, planned, step, spec.values.nonce);
      return step;
    }
    case 'header-injection':
    case 'query-injection':
    case 'body-injection':
    case 'path-injection': {
      if (ctx.world.tenant(victim).tenantId === undefined) return undefined;
      if (!fillPath(ctx, step, planned, attacker, spec.selector)) return undefined;
      if (!applyQuery(ctx, step, planned, spec.values.query, undefined, undefined)) return undefined;
      if (op.requestBody) {
        if (spec.values.body === undefined) return undefined;
        step.body = fillBodyIds(ctx, planned, spec.values.body, attacker, spec.selector);
        if (!bodyIsComplete(planned, step.body, attacker, ctx)) return undefined;
      }
      // An override on one of the attacker's own records acts on that record when the server ignores it.
      const ownParam = Object.entries(planned.pathResources).find(
        ([param, r]) => r === op.resource && op.parent?.param !== param && (op.kind === 'item' || op.kind === 'action'),
      )?.[0];
      const ref = ownParam ? step.pathParams[ownParam] : undefined;
      if (ref && typeof ref === 'object' && '$from' in ref) step.recordFrom = (ref as ValueRef).$from;
      fillOwnTenantFields(ctx.world, step, planned);
      const vector = VECTOR_OF[spec.probe];
      if (!applyOverride(step, planned, vector, victim, ctx.tenantFields ?? [])) return undefined;
      idempotencyKey(ctx, planned, step, spec.values.nonce);
      return step;
    }
    default:
      return undefined;
  }
}

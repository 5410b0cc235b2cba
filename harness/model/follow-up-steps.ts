/**
 * Steps that follow a probe, built from it: a tenant's re-read of the record the probe aimed at (or
 * created), and the twin of the probe that names an id no tenant owns. Like every step, they are
 * plain data against the current world; the executor sends them.
 */
import type { Relation, TenantLabel } from './exchange.ts';
import { freshLike, missingIdLike } from './missing-id.ts';
import type { CampaignPlan } from './plan.ts';
import { getPath } from './resolve-step.ts';
import type { Step, StepValue } from './step.ts';
import type { World } from './world.ts';

function idFieldOf(plan: CampaignPlan, resource: string): string {
  return plan.resources.get(resource)?.idField ?? 'id';
}

/**
 * `tenant` re-reads record `recordFrom` (the step that created it) of `resource`, through the
 * resource's read operation. Undefined when the spec has no read for it.
 */
export function rereadStep(
  plan: CampaignPlan,
  world: World,
  target: { resource?: string; recordFrom?: number; path: string; pathParams: Record<string, StepValue> },
  tenant: TenantLabel,
  relation: Relation,
): Step | undefined {
  const { resource, recordFrom } = target;
  if (!resource || recordFrom === undefined) return undefined;
  const read = plan.reads.find((r) => r.op.resource === resource);
  if (!read) return undefined;
  const original = world.stepAt(recordFrom);
  const pathParams = { ...target.pathParams };
  if (read.op.path !== target.path) {
    // Different path shape (rare): rebuild from the record's creating step.
    for (const [param, res] of Object.entries(read.pathResources)) {
      if (res === resource) pathParams[param] = { $from: recordFrom, path: idFieldOf(plan, resource) };
      else if (original?.pathParams[param] !== undefined) pathParams[param] = original.pathParams[param]!;
    }
  }
  return {
    index: -1,
    tenant,
    operationId: read.op.operationId,
    action: 'read',
    relation,
    resource,
    recordFrom,
    method: 'GET',
    path: read.op.path,
    pathParams,
    query: {},
    headers: {},
  };
}

/** `tenant` re-reads the record that `step` itself created (a create sent with a tenant override). */
export function createdRecordRereadStep(
  plan: CampaignPlan,
  world: World,
  step: Step,
  tenant: TenantLabel,
  relation: Relation,
): Step | undefined {
  const produced = plan.byId.get(step.operationId)?.op.produces;
  if (!produced) return undefined;
  return rereadStep(plan, world, { ...step, recordFrom: step.index, resource: produced.resource }, tenant, relation);
}

/**
 * `step` as its own tenant's request, with no probe: the base of a twin. An idempotency key gets a
 * fresh value, since the twin is another request (the same key would be refused as a replay).
 */
function asOwn(step: Step, action: Step['action']): Step {
  const twin: Step = { ...structuredClone(step), index: -1, action, relation: 'own' };
  for (const [name, value] of Object.entries(twin.headers))
    if (/idempotency|request-key/i.test(name) && typeof value === 'string') twin.headers[name] = freshLike(value);
  delete twin.probe;
  delete twin.victim;
  delete twin.recordFrom;
  delete twin.target;
  delete twin.uniqueField;
  delete twin.override;
  return twin;
}

/**
 * The same request as `step`, sent as its own tenant, naming an id that exists nowhere where the
 * probe named the victim's record: the record's own path parameter, or (for a foreign reference)
 * the parent parameter or body field it filled.
 */
export function missingTwinStep(plan: CampaignPlan, world: World, step: Step): Step | undefined {
  const resolvedAt = (value: unknown): string => {
    const ref = value as { $from?: number; path?: string } | undefined;
    return ref?.$from !== undefined ? String(getPath(world.responses.get(ref.$from)?.json, ref.path ?? '') ?? '') : '';
  };
  if (step.target) {
    const { in: where, name, many } = step.target;
    const twin = asOwn(step, step.action);
    if (where === 'path') {
      twin.pathParams[name] = missingIdLike(resolvedAt(step.pathParams[name]));
      return twin;
    }
    const current = getPath(step.body, name);
    const example = resolvedAt(Array.isArray(current) ? current[0] : current);
    const missing = missingIdLike(example);
    return setDotted(twin, name, many ? [missing] : missing) ? twin : undefined;
  }
  const planned = plan.byId.get(step.operationId);
  const idParam = Object.entries(planned?.pathResources ?? {}).find(([, r]) => r === step.resource)?.[0];
  if (!idParam) return undefined;
  const probedId = String(
    getPath(world.responses.get(step.recordFrom ?? -1)?.json, idFieldOf(plan, step.resource ?? '')) ?? '',
  );
  const twin = asOwn(step, 'read-missing');
  twin.pathParams = { ...twin.pathParams, [idParam]: missingIdLike(probedId) };
  return twin;
}

/** The same create as a unique-value probe, as its own tenant, with a fresh value of the same shape. */
export function freshValueTwinStep(step: Step): Step | undefined {
  if (!step.uniqueField) return undefined;
  const value = getPath(step.body, step.uniqueField);
  if (typeof value !== 'string') return undefined;
  const twin = asOwn(step, step.action);
  return setDotted(twin, step.uniqueField, freshLike(value)) ? twin : undefined;
}

/**
 * The same request as an injection probe, as its own tenant, without the override: the fields it
 * set to the victim's tenant are removed (a spec-declared body field names the sender's own tenant
 * instead). What this twin returns, the override did not cause.
 */
export function withoutOverrideStep(plan: CampaignPlan, step: Step): Step | undefined {
  if (!step.override) return undefined;
  const declared = plan.byId.get(step.operationId)?.op.tenantFields ?? [];
  const twin = asOwn(step, step.action);
  delete twin.override;
  for (const f of step.override.fields) {
    if (f.in === 'header') delete twin.headers[f.name];
    else if (f.in === 'query') delete twin.query[f.name];
    else if (f.in === 'path') delete twin.pathParams[f.name];
    else if (twin.body && typeof twin.body === 'object' && !Array.isArray(twin.body)) {
      const body = twin.body as Record<string, StepValue>;
      if (declared.some((d) => d.in === 'body' && d.name === f.name))
        body[f.name] = { $tenantId: step.tenant, field: `body:${f.name}` };
      else delete body[f.name];
    }
  }
  return twin;
}

/** Sets a dotted body path of a step (objects only); false when the path is not there. */
function setDotted(step: Step, dotted: string, value: StepValue): boolean {
  const parts = dotted.split('.');
  let cur: unknown = step.body;
  for (const part of parts.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return false;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return false;
  (cur as Record<string, StepValue>)[parts.at(-1)!] = value;
  return true;
}

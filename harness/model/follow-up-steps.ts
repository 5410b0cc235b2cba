/**
 * Steps that follow a probe, built from it: a tenant's re-read of the record the probe aimed at (or
 * created), and the twin of the probe that names an id no tenant owns. Like every step, they are
 * plain data against the current world; the executor sends them.
 */
import type { Relation, TenantLabel } from './exchange.ts';
import { missingIdLike } from './missing-id.ts';
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
  const original = world.steps[recordFrom];
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

/** The same request as `step`, sent as its own tenant, naming an id that exists nowhere. */
export function missingTwinStep(plan: CampaignPlan, world: World, step: Step): Step | undefined {
  const planned = plan.byId.get(step.operationId);
  const idParam = Object.entries(planned?.pathResources ?? {}).find(([, r]) => r === step.resource)?.[0];
  if (!idParam) return undefined;
  const probedId = String(
    getPath(world.responses.get(step.recordFrom ?? -1)?.json, idFieldOf(plan, step.resource ?? '')) ?? '',
  );
  const twin: Step = {
    ...structuredClone(step),
    index: -1,
    action: 'read-missing',
    relation: 'own',
    pathParams: { ...structuredClone(step.pathParams), [idParam]: missingIdLike(probedId) },
  };
  delete twin.probe;
  delete twin.victim;
  delete twin.recordFrom;
  return twin;
}

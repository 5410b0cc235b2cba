/**
 * Steps a checkpoint sends: a tenant's own list, aggregate, export or audit-log read with a given
 * query, and the cursor swap (a tenant asks for the next page with the cursor another tenant got).
 */
import type { TenantLabel } from './exchange.ts';
import type { PlannedOperation } from './plan.ts';
import type { Step, StepValue } from './step.ts';

export function checkpointStep(
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

/** `tenant` lists with the cursor `victim` was given at step `cursorStep` (a foreign-cursor probe). */
export function cursorSwapStep(
  tenant: TenantLabel,
  victim: TenantLabel,
  planned: PlannedOperation,
  base: Record<string, StepValue>,
  pageSize: number,
  cursorStep: number,
): Step | undefined {
  const p = planned.op.pagination;
  if (p?.style !== 'cursor' || !p.param || !p.nextField) return undefined;
  const step = checkpointStep(tenant, planned, 'list', {
    ...base,
    ...(p.limitParam ? { [p.limitParam]: pageSize } : {}),
    [p.param]: { $from: cursorStep, path: p.nextField },
  });
  step.relation = 'foreign';
  step.probe = 'foreign-cursor';
  step.victim = victim;
  return step;
}

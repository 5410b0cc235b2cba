/**
 * Tenant fields in steps. A tenant's own request sends its own real tenant id in the fields the
 * spec names as tenant selectors (when the body carries one, or the spec requires it), as a client
 * of such an API must. An injection probe sends the victim's real tenant id in every field of its
 * vector: the spec's, the usual defaults (`X-Tenant-Id`, `tenant_id`, `tenantId`), and the
 * campaign's own (config `tenantFields`, JWT claim names).
 */
import { DEFAULT_TENANT_FIELDS, mergeTenantFields, type TenantField } from '../openapi/tenant-fields.ts';
import type { TenantLabel } from './exchange.ts';
import type { PlannedOperation } from './plan.ts';
import type { Step, StepValue } from './step.ts';
import type { World } from './world.ts';

export type OverrideVector = TenantField['in'];

function bodyObject(step: Step): Record<string, StepValue> | undefined {
  const b = step.body;
  return b !== null && typeof b === 'object' && !Array.isArray(b) && !('$from' in b) && !('$tenantId' in b)
    ? (b as Record<string, StepValue>)
    : undefined;
}

/** Fields the spec declares that name a tenant, and are not ids of some record it references. */
function ownFields(planned: PlannedOperation): TenantField[] {
  const consumed = new Set(planned.op.consumes.map((c) => `${c.in}:${c.name}`));
  return (planned.op.tenantFields ?? []).filter((f) => !consumed.has(`${f.in}:${f.name}`));
}

/** A tenant's own request names its own tenant in the spec's tenant fields it sends or must send. */
export function fillOwnTenantFields(world: World, step: Step, planned: PlannedOperation): void {
  if (world.tenant(step.tenant).tenantId === undefined) return;
  // A path tenant prefix is filled at send time, as whichever tenant sends the step (resolve-step.ts).
  // Each field names the tenant by its selector for that field when provisioning gave one, else its id.
  const self = (f: TenantField): StepValue => ({ $tenantId: step.tenant, field: `${f.in}:${f.name}` });
  const body = bodyObject(step);
  for (const f of ownFields(planned)) {
    if (f.in === 'body' && body && (f.name in body || f.required)) body[f.name] = self(f);
    if (f.in === 'query' && (f.name in step.query || f.required)) step.query[f.name] = self(f);
    if (f.in === 'header' && f.required) step.headers[f.name] = self(f);
  }
}

/**
 * Points every field of `vector` at `victim`'s tenant: its provisioning selector for that field
 * (`header:Host` under subdomain tenancy, `path:orgId` under a path prefix) when it has one, else
 * its provisioning id. A path vector replaces the tenant prefix the step would otherwise fill with
 * its own tenant at send time (resolve-step.ts). A header override also names the victim in
 * the spec's body tenant fields, as a real client selecting that tenant would (a body that still
 * named the caller would be refused for the mismatch, and prove nothing). Records what it changed,
 * for the twin without the override. False when the step cannot carry the vector.
 */
export function applyOverride(
  step: Step,
  planned: PlannedOperation,
  vector: OverrideVector,
  victim: TenantLabel,
  extra: readonly TenantField[],
): boolean {
  const victimId = (f: TenantField): StepValue => ({ $tenantId: victim, field: `${f.in}:${f.name}` });
  const fields = mergeTenantFields(planned.op.tenantFields ?? [], DEFAULT_TENANT_FIELDS, extra).filter(
    (f) => f.in === vector,
  );
  const body = bodyObject(step);
  if (vector === 'body' && !body) return false;
  const set: TenantField[] = [];
  for (const f of fields) {
    if (f.in === 'header') step.headers[f.name] = victimId(f);
    else if (f.in === 'query') step.query[f.name] = victimId(f);
    else if (f.in === 'path') step.pathParams[f.name] = victimId(f);
    else body![f.name] = victimId(f);
    set.push(f);
  }
  if (vector === 'header' && body)
    for (const f of ownFields(planned).filter((x) => x.in === 'body' && x.name in body)) {
      body[f.name] = victimId(f);
      set.push(f);
    }
  step.override = { vector, fields: set };
  return set.length > 0;
}

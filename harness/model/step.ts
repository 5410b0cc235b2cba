/**
 * A step is one concrete request of a campaign, in a form that can be written to disk and
 * replayed on fresh tenants: values the server issued earlier (ids, cursors) are symbolic
 * references to earlier steps' responses, resolved when the step runs.
 */
import type { Relation, TenantLabel } from './exchange.ts';
import type { StepProbe } from './probe.ts';
import type { TenantField } from '../openapi/tenant-fields.ts';

/** A value taken from an earlier step's response: `{ $from: 3, path: 'id' }`. */
export interface ValueRef {
  $from: number;
  /** Dotted path into the earlier response's JSON body (`id`, `data.0.id`, `nextCursor`), or `header:name`. */
  path: string;
}

/**
 * A value that names a tenant (used by tenant-override probes): its provisioning selector for
 * `field` (`header:Host`, `path:orgId`) when it has one, else its provisioning id.
 */
export interface TenantIdRef {
  $tenantId: TenantLabel;
  field?: string;
}

export type StepValue =
  string | number | boolean | null | ValueRef | TenantIdRef | StepValue[] | { [key: string]: StepValue };

/** What the step is for; the oracles judge each action differently. */
export const STEP_ACTIONS = [
  'create',
  'read',
  'update',
  'delete',
  'list',
  'search',
  'aggregate',
  'export',
  'audit',
  'action',
  'singleton',
  /** A read of an id that never existed, to compare a foreign id's response with. */
  'read-missing',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export interface Step {
  /** Index in the sequence; ValueRefs point at these. */
  index: number;
  tenant: TenantLabel;
  operationId: string;
  action: StepAction;
  relation: Relation;
  /** The probe this step is (absent for a tenant's own call): see probe.ts. */
  probe?: StepProbe;
  victim?: TenantLabel;
  /**
   * Where a foreign-reference probe names the victim's record (a parent path parameter or a body
   * field): its twin puts an id that exists nowhere there.
   */
  target?: { in: 'path' | 'body'; name: string; resource: string; many?: boolean };
  /** The body field a unique-value probe fills with the victim's value: its twin puts a fresh one there. */
  uniqueField?: string;
  /** The fields an injection probe set to the victim's tenant id: its twin sends the same request without them. */
  override?: { vector: TenantField['in']; fields: TenantField[] };
  /** The resource the step works on, and (for item steps) the step that created the record. */
  resource?: string;
  recordFrom?: number;
  method: string;
  /** Path template with `{name}` placeholders filled from `pathParams`. */
  path: string;
  pathParams: Record<string, StepValue>;
  query: Record<string, StepValue>;
  headers: Record<string, StepValue>;
  body?: StepValue;
  /** Steps that ran concurrently share a batch number. */
  batch?: number;
  /**
   * Which of the sending tenant's users sends it (an index into its users; absent: the first).
   * Twins copy it, so a probe and its twin differ only in what they name.
   */
  user?: number;
}

/**
 * The campaign's model of the world: per tenant, the records it created and still owns, the
 * values and tokens it sent, and how it last saw its own data. Commands pick their targets here
 * (own records for CRUD, a victim's records for probes); oracles compare observations with it.
 */
import type { TenantLabel } from './exchange.ts';
import type { Step } from './step.ts';

export interface RecordState {
  resource: string;
  /** The server-issued id, as a string. */
  id: string;
  /** Index of the step that created it (ValueRefs point here). */
  createdBy: number;
  /** Response field holding the id (`id`). */
  idField: string;
  alive: boolean;
  /** Parent record for child resources (`notes` under `customers`). */
  parent?: { resource: string; id: string; createdBy: number };
  /** The record as the owner last saw it (JSON body of the create/read/update). */
  lastSeen?: unknown;
}

export interface TokenUse {
  value: string;
  step: number;
  operationId: string;
}

export interface TenantState {
  label: TenantLabel;
  /** Provisioning id of the tenant, when the adapter knows it (used by override probes). */
  tenantId?: string;
  records: RecordState[];
  /** Free-text canaries this tenant put into its records. */
  canaries: string[];
  /** High-entropy values this tenant sent in bodies, by property name (`email`), for collision probes. */
  uniqueValues: { field: string; value: string; operationId: string; step: number }[];
  /** `nextCursor`s this tenant received, by list operation. */
  cursors: Map<string, TokenUse>;
  /** Idempotency keys this tenant sent, with the step whose body they went with. */
  idempotencyKeys: TokenUse[];
  /** Count of this tenant's successful writes; reads are comparable only while it is unchanged. */
  writes: number;
  /** Request ids (`X-Request-Id`) the target returned to this tenant, for the audit oracle. */
  requestIds: Set<string>;
}

export class World {
  readonly tenants = new Map<TenantLabel, TenantState>();
  /** Every step run so far, with its response JSON, for resolving ValueRefs. */
  readonly steps: Step[] = [];
  readonly responses = new Map<number, { status: number; json?: unknown; headers: Record<string, string> }>();

  constructor(labels: TenantLabel[], tenantIds: Record<TenantLabel, string | undefined> = {}) {
    for (const label of labels) {
      const state: TenantState = {
        label,
        records: [],
        canaries: [],
        uniqueValues: [],
        cursors: new Map(),
        idempotencyKeys: [],
        writes: 0,
        requestIds: new Set(),
      };
      const id = tenantIds[label];
      if (id !== undefined) state.tenantId = id;
      this.tenants.set(label, state);
    }
  }

  get labels(): TenantLabel[] {
    return [...this.tenants.keys()];
  }

  tenant(label: TenantLabel): TenantState {
    const t = this.tenants.get(label);
    if (!t) throw new Error(`unknown tenant ${label}`);
    return t;
  }

  alive(label: TenantLabel, resource?: string): RecordState[] {
    return this.tenant(label).records.filter((r) => r.alive && (resource === undefined || r.resource === resource));
  }

  /** Picks the `selector`-th alive record (modulo), so a shrunk command still finds a target. */
  pick(label: TenantLabel, resource: string, selector: number): RecordState | undefined {
    const candidates = this.alive(label, resource);
    if (candidates.length === 0) return undefined;
    return candidates[selector % candidates.length];
  }

  /**
   * The owner of a server-issued id, if any tenant created it in this run; of `resource` when given,
   * since integer ids repeat across tables (project 5 and task 5 are different records).
   */
  ownerOfId(id: string, resource?: string): TenantLabel | undefined {
    for (const t of this.tenants.values())
      if (t.records.some((r) => r.id === id && (resource === undefined || r.resource === resource))) return t.label;
    return undefined;
  }

  others(label: TenantLabel): TenantLabel[] {
    return this.labels.filter((l) => l !== label);
  }
}

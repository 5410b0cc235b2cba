/**
 * What the run reads at a quiescent point (nothing else in flight): every tenant's lists walked to
 * the end, its aggregates, its exports and its audit log. The checkpoint runner (run/checkpoint.ts)
 * fills it by sending steps; the oracles that judge checkpoints (model, audit) read it.
 */
import type { Exchange, TenantLabel } from './exchange.ts';

export interface ListRead {
  tenant: TenantLabel;
  operationId: string;
  resource: string;
  /** Every page, in order. */
  pages: Exchange[];
  /** Dotted path of the items array, and the record's id field. */
  itemsField?: string;
  idField: string;
}

export interface AggregateRead {
  tenant: TenantLabel;
  operationId: string;
  exchange: Exchange;
}

export interface ExportRead {
  tenant: TenantLabel;
  operationId: string;
  exchange: Exchange;
  /** The resource the export holds, when its query names one. */
  resource?: string;
  itemsField?: string;
  idField: string;
}

/** A request whose request id the audit log must hold. */
export interface AuditedRequest {
  requestId: string;
  seq: number;
  operationId: string;
}

export interface AuditLogRead {
  tenant: TenantLabel;
  operationId: string;
  pages: Exchange[];
  /** Whether the log was read to its last page. */
  complete: boolean;
  /** The tenant's requests that carried a request id, made before the log was read. */
  requests: AuditedRequest[];
}

export interface CheckpointView {
  /** Whether the model knows every record each tenant owns (fresh tenants): exact comparisons apply. */
  completeModel: boolean;
  lists: ListRead[];
  aggregates: AggregateRead[];
  exports: ExportRead[];
  audits: AuditLogRead[];
}

/**
 * Layer 3: one append-only audit event per authenticated request, written under its tenant. The
 * clean writer is `group-commit-writer.ts`; `audit-misattributed` swaps in a broken one.
 */
import type { AuditEventInput } from '../repositories/insights.ts';
import type { TenantBatchScope, TenantScope } from '../tenancy/tenant-scope.ts';

export type { AuditEventInput };

export interface AuditWriter {
  /** Resolves once the event is durably stored (the response waits for it). */
  record(event: AuditEventInput): Promise<void>;
  /** Writes anything buffered. */
  flush(): Promise<void>;
  /** Drops anything buffered (reset). */
  discard(): void;
}

export interface AuditWriterDeps {
  scopeForTenant(tenantId: string): TenantScope;
  /**
   * One transaction for several tenants' events (RLS per tenant). Optional: the clean writer
   * otherwise derives one from `scopeForTenant`'s scopes (`batchScopeLike`).
   */
  batchScope?: TenantBatchScope;
}

export type AuditWriterFactory = (deps: AuditWriterDeps) => AuditWriter;

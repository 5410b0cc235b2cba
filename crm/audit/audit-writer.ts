/** Layer 3: one append-only audit event per authenticated request, written under its tenant. */
import { insertAuditEvents, type AuditEventInput } from '../repositories/insights.ts';
import type { TenantScope } from '../tenancy/tenant-scope.ts';

export type { AuditEventInput };

export interface AuditWriter {
  record(event: AuditEventInput): Promise<void>;
  /** Writes anything buffered. */
  flush(): Promise<void>;
  /** Drops anything buffered (reset). */
  discard(): void;
}

export interface AuditWriterDeps {
  scopeForTenant(tenantId: string): TenantScope;
}

export type AuditWriterFactory = (deps: AuditWriterDeps) => AuditWriter;

/** The clean writer: each event is written before the response leaves, in its own tenant's transaction. */
export const createImmediateAuditWriter: AuditWriterFactory = (deps) => ({
  async record(event) {
    await deps.scopeForTenant(event.tenantId).run((tx) => insertAuditEvents(tx, [event]));
  },
  async flush() {},
  discard() {},
});

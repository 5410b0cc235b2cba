/**
 * The clean audit writer: group commit. `record` resolves only once the event's row is committed,
 * so a response still leaves only after its audit event is durable, as with one transaction per
 * event. One write is in flight at a time; events recorded meanwhile wait and then go together:
 * an idle server writes each event alone and at once, a busy one writes one batch per commit
 * instead of a transaction (and a WAL flush) per request.
 *
 * A batch is grouped by tenant, and each tenant's events are inserted under that tenant's context
 * (RLS on, the row's own tenant id; the policy refuses any row that is not the context's tenant).
 * All tenants of a batch share one transaction, the context switched between them (the
 * `batchScope` given, else one like the app's own scopes: `batchScopeLike`); where there is no
 * batch scope, each tenant gets its own transaction. If a batch fails, each tenant's events
 * are retried in their own transaction, then one by one, so a bad event cannot take others with
 * it; an event that still fails rejects its own `record`.
 */
import { insertAuditEvents } from '../repositories/insights.ts';
import { batchScopeLike, type TenantTx } from '../tenancy/tenant-scope.ts';
import type { AuditEventInput, AuditWriter, AuditWriterDeps, AuditWriterFactory } from './audit-writer.ts';

/** Most events in one batch. */
export const MAX_AUDIT_BATCH = 500;

interface Pending {
  event: AuditEventInput;
  resolve(): void;
  reject(error: unknown): void;
}

function byTenant(batch: Pending[]): Map<string, Pending[]> {
  const groups = new Map<string, Pending[]>();
  for (const pending of batch) {
    const group = groups.get(pending.event.tenantId);
    if (group) group.push(pending);
    else groups.set(pending.event.tenantId, [pending]);
  }
  return groups;
}

const insertGroup = (group: Pending[]) => (tx: TenantTx) =>
  insertAuditEvents(
    tx,
    group.map((p) => p.event),
  );

/** One tenant's events in that tenant's own transaction; then one by one if that fails. */
async function writeTenantGroup(deps: AuditWriterDeps, tenantId: string, group: Pending[]): Promise<void> {
  const scope = deps.scopeForTenant(tenantId);
  try {
    await scope.run(insertGroup(group));
    for (const p of group) p.resolve();
  } catch (error) {
    if (group.length === 1) {
      group[0]!.reject(error);
      return;
    }
    for (const p of group) {
      try {
        await scope.run(insertGroup([p]));
        p.resolve();
      } catch (single) {
        p.reject(single);
      }
    }
  }
}

async function writeBatch(deps: AuditWriterDeps, batch: Pending[]): Promise<void> {
  const groups = byTenant(batch);
  const batchScope =
    groups.size > 1 ? (deps.batchScope ?? batchScopeLike(deps.scopeForTenant(batch[0]!.event.tenantId))) : undefined;
  if (batchScope) {
    try {
      await batchScope.runForEach([...groups.keys()], (tx) => insertGroup(groups.get(tx.tenantId)!)(tx));
      for (const p of batch) p.resolve();
      return;
    } catch {
      // Retried below, tenant by tenant, so the failure lands only on the events that cause it.
    }
  }
  await Promise.all([...groups].map(([tenantId, group]) => writeTenantGroup(deps, tenantId, group)));
}

export const createGroupCommitAuditWriter: AuditWriterFactory = (deps): AuditWriter => {
  let waiting: Pending[] = [];
  /** The running drain, if any: it writes until nothing waits. */
  let draining: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (waiting.length > 0) {
      const batch = waiting.slice(0, MAX_AUDIT_BATCH);
      waiting = waiting.slice(batch.length);
      await writeBatch(deps, batch);
    }
    draining = undefined;
  }

  return {
    record(event) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ event, resolve, reject });
        draining ??= drain();
      });
    },
    async flush() {
      while (draining) await draining;
    },
    // Nothing is held back: every recorded event is already on its way to the database.
    discard() {},
  };
};

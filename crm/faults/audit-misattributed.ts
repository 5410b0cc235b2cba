import type { AuditEventInput, AuditWriter, AuditWriterFactory } from '../audit/audit-writer.ts';
import { insertAuditEvents } from '../repositories/insights.ts';
import type { Fault } from './fault.ts';

const BATCH_SIZE = 4;
const FLUSH_AFTER_MS = 1_000;

/**
 * A batching audit writer: events are buffered and written in one insert, and the whole batch
 * is stamped with the tenant of the request that triggered the flush.
 */
const createBatchingAuditWriter: AuditWriterFactory = (deps) => {
  let buffer: AuditEventInput[] = [];
  let timer: NodeJS.Timeout | undefined;
  const writeBatch = async (batch: AuditEventInput[], tenantId: string) => {
    await deps.scopeForTenant(tenantId).run((tx) =>
      insertAuditEvents(
        tx,
        batch.map((event) => ({ ...event, tenantId })),
      ),
    );
  };
  const takeBatch = () => {
    const batch = buffer;
    buffer = [];
    if (timer) clearTimeout(timer);
    timer = undefined;
    return batch;
  };
  const writer: AuditWriter = {
    async record(event) {
      buffer.push(event);
      if (buffer.length >= BATCH_SIZE) {
        await writeBatch(takeBatch(), event.tenantId);
        return;
      }
      timer ??= setTimeout(() => {
        const batch = takeBatch();
        const last = batch[batch.length - 1];
        if (last) writeBatch(batch, last.tenantId).catch(() => {});
      }, FLUSH_AFTER_MS);
      timer.unref();
    },
    async flush() {
      const batch = takeBatch();
      const last = batch[batch.length - 1];
      if (last) await writeBatch(batch, last.tenantId);
    },
    discard() {
      takeBatch();
    },
  };
  return writer;
};

export const auditMisattributed: Fault = {
  name: 'audit-misattributed',
  description: 'A batching audit writer stamps a whole batch with the tenant of the request that triggered the flush.',
  install(components) {
    return { ...components, createAuditWriter: createBatchingAuditWriter };
  },
};

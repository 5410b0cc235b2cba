/**
 * The seams of the server. `createCleanComponents()` is the correct build; each fault in
 * `faults/` replaces exactly one of these parts with a realistically broken implementation.
 */
import type { FastifyRequest } from 'fastify';
import type { AuditWriterFactory } from './audit/audit-writer.ts';
import { createGroupCommitAuditWriter } from './audit/group-commit-writer.ts';
import type { Database } from './db/database.ts';
import {
  createCustomerOperations,
  createNoteOperations,
  type CustomerOperations,
  type NoteOperations,
} from './services/customers.ts';
import { createInsightOperations, type InsightOperations } from './services/insights.ts';
import { createJobOperations, type JobOperations } from './services/jobs.ts';
import {
  createInvoiceOperations,
  createQuoteOperations,
  type InvoiceOperations,
  type QuoteOperations,
} from './services/billing.ts';
import type { JsonSchema } from './spec/load-spec.ts';
import { createSignedCursorCodec, type CursorCodec } from './tenancy/cursor.ts';
import { tenantScopedIdempotencyStore, type IdempotencyStore } from './tenancy/idempotency.ts';
import { tenantCacheKey, type CacheKeyFunction } from './tenancy/response-cache.ts';
import { requestScopedContextStore, type TenantContext, type TenantContextStore } from './tenancy/tenant-context.ts';
import type { IsolationSettings } from './tenancy/tenant-scope.ts';

export interface CrmComponents {
  customers: CustomerOperations;
  notes: NoteOperations;
  jobs: JobOperations;
  quotes: QuoteOperations;
  invoices: InvoiceOperations;
  insights: InsightOperations;
  /** Where the request's tenant context lives. */
  contextStore: TenantContextStore;
  /** How long `app.tenant_id` lives on a connection. */
  contextLifetime: IsolationSettings['contextLifetime'];
  /** The tenant a request acts for, given the tenant of its credential. */
  resolveRequestTenant(request: FastifyRequest, credential: TenantContext): TenantContext;
  cursorCodec: CursorCodec;
  idempotency: IdempotencyStore;
  createAuditWriter: AuditWriterFactory;
  responseCacheKey: CacheKeyFunction;
  /** The request-body schema of an operation (the clean build uses the spec's, unchanged). */
  requestBodySchema(operationId: string, schema: JsonSchema): JsonSchema;
  /** Runs after validation, before the handler. */
  beforeHandler(request: FastifyRequest, store: TenantContextStore): void;
}

/** What a fault may reach: the privileged (owner) connection, as the buggy code paths do. */
export interface FaultContext {
  privileged: Database;
}

export function createCleanComponents(): CrmComponents {
  return {
    customers: createCustomerOperations(),
    notes: createNoteOperations(),
    jobs: createJobOperations(),
    quotes: createQuoteOperations(),
    invoices: createInvoiceOperations(),
    insights: createInsightOperations(),
    contextStore: requestScopedContextStore,
    contextLifetime: 'transaction',
    resolveRequestTenant: (_request, credential) => credential,
    cursorCodec: createSignedCursorCodec(),
    idempotency: tenantScopedIdempotencyStore,
    createAuditWriter: createGroupCommitAuditWriter,
    responseCacheKey: tenantCacheKey,
    requestBodySchema: (_operationId, schema) => schema,
    beforeHandler: () => {},
  };
}

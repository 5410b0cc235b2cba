/** SQL for the read-mostly cross-resource views: search, summary, export, audit. */
import type { SqlExecutor } from '../db/database.ts';
import type { AuditEvent, ReportSummary, SearchResult } from '../domain/types.ts';
import type { TenantTx } from '../tenancy/tenant-scope.ts';
import { int, iso, jsonValue, likePattern, toPage, type Page } from './rows.ts';

export interface SearchQuery {
  q: string;
  type?: SearchResult['type'];
  limit: number;
}

/** `tenantPredicate` is the explicit filter on the view alias `d`, or empty. */
export const SEARCH_SQL = (tenantPredicate: string) =>
  `SELECT d.type, d.id, d.title, d.snippet FROM search_documents d
   WHERE ${tenantPredicate} d.haystack ILIKE $2 ESCAPE '\\' AND ($3::text IS NULL OR d.type = $3)
   ORDER BY (d.title ILIKE $2 ESCAPE '\\') DESC, d.seq DESC LIMIT $4`;

export function searchParams(tenantId: string | null, query: SearchQuery): unknown[] {
  return [tenantId, likePattern(query.q), query.type ?? null, query.limit];
}

export function toSearchResult(row: Record<string, unknown>): SearchResult {
  return {
    type: row.type as SearchResult['type'],
    id: String(row.id),
    title: String(row.title),
    snippet: String(row.snippet).slice(0, 200),
  };
}

export async function search(tx: TenantTx, query: SearchQuery): Promise<SearchResult[]> {
  const rows = await tx.query(SEARCH_SQL(`${tx.tenantFilter('d')} AND`), searchParams(tx.tenantId, query));
  return rows.map(toSearchResult);
}

/** The summary over whatever rows `scoped(alias)` admits. */
export const SUMMARY_SQL = (scoped: (alias: string) => string) => `SELECT
  (SELECT count(*) FROM customers c WHERE ${scoped('c')})::int AS customers,
  (SELECT count(*) FROM jobs j WHERE ${scoped('j')})::int AS jobs,
  (SELECT count(*) FROM quotes q WHERE ${scoped('q')})::int AS quotes,
  (SELECT count(*) FROM invoices i WHERE ${scoped('i')})::int AS invoices,
  (SELECT coalesce(sum(q.total_cents), 0) FROM quotes q WHERE ${scoped('q')} AND q.status <> 'declined')::bigint AS quoted_cents,
  (SELECT coalesce(sum(i.total_cents), 0) FROM invoices i WHERE ${scoped('i')} AND i.status <> 'void')::bigint AS invoiced_cents,
  (SELECT coalesce(sum(i.paid_cents), 0) FROM invoices i WHERE ${scoped('i')} AND i.status <> 'void')::bigint AS paid_cents`;

export function toSummary(row: Record<string, unknown>): ReportSummary {
  const invoiced = int(row.invoiced_cents);
  const paid = int(row.paid_cents);
  return {
    customers: int(row.customers),
    jobs: int(row.jobs),
    quotes: int(row.quotes),
    invoices: int(row.invoices),
    quotedCents: int(row.quoted_cents),
    invoicedCents: invoiced,
    paidCents: paid,
    outstandingCents: invoiced - paid,
  };
}

export async function summary(tx: TenantTx): Promise<ReportSummary> {
  const rows = await tx.query(`${SUMMARY_SQL((alias) => tx.tenantFilter(alias))}, $1::uuid AS tenant`, [tx.tenantId]);
  return toSummary(rows[0]!);
}

export type ExportResource = 'customers' | 'jobs' | 'quotes' | 'invoices';

/** Every row of one resource, oldest first, as raw rows for the resource's mapper. */
export async function exportRows(
  sql: SqlExecutor,
  resource: ExportResource,
  scope: { predicate: (alias: string) => string; params: unknown[] },
): Promise<Record<string, unknown>[]> {
  const from: Record<ExportResource, { select: string; alias: string }> = {
    customers: { select: 'SELECT c.* FROM customers c', alias: 'c' },
    jobs: {
      select:
        'SELECT j.*, c.name AS customer_name FROM jobs j JOIN customers c ON c.tenant_id = j.tenant_id AND c.id = j.customer_id',
      alias: 'j',
    },
    quotes: { select: 'SELECT q.*, q.valid_until::text AS valid_until FROM quotes q', alias: 'q' },
    invoices: { select: 'SELECT i.*, i.due_date::text AS due_date FROM invoices i', alias: 'i' },
  };
  const { select, alias } = from[resource];
  return sql.query(`${select} WHERE ${scope.predicate(alias)} ORDER BY ${alias}.seq ASC LIMIT 100000`, scope.params);
}

export interface AuditEventInput {
  tenantId: string;
  requestId: string;
  method: string;
  route: string;
  status: number;
  recordIds: string[];
}

/**
 * Appends events in one statement whose text does not depend on how many there are (so it is
 * prepared once): one array parameter per column, unnested in order. Each row keeps its own
 * event's tenant; under RLS the policy's WITH CHECK refuses any row not of the transaction's tenant.
 */
export async function insertAuditEvents(tx: TenantTx, events: readonly AuditEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO audit_events (tenant_id, request_id, method, route, status, record_ids, occurred_at)
     SELECT e.tenant_id, e.request_id, e.method, e.route, e.status, e.record_ids::jsonb, clock_timestamp()
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[]) WITH ORDINALITY
       AS e(tenant_id, request_id, method, route, status, record_ids, position)
     WHERE $1::uuid IS NOT NULL ORDER BY e.position`,
    [
      tx.tenantId,
      events.map((e) => e.tenantId),
      events.map((e) => e.requestId),
      events.map((e) => e.method),
      events.map((e) => e.route),
      events.map((e) => e.status),
      events.map((e) => JSON.stringify(e.recordIds)),
    ],
  );
}

function toAuditEvent(row: Record<string, unknown>): AuditEvent {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    requestId: String(row.request_id),
    method: String(row.method),
    route: String(row.route),
    status: int(row.status),
    recordIds: jsonValue<string[]>(row.record_ids),
    occurredAt: iso(row.occurred_at),
  };
}

export async function listAuditEvents(
  tx: TenantTx,
  opts: { after: number | null; limit: number; requestId?: string },
): Promise<Page<AuditEvent & { seq: number }>> {
  const rows = await tx.query(
    `SELECT a.seq, a.id, a.tenant_id, a.request_id, a.method, a.route, a.status, a.record_ids, a.occurred_at FROM audit_events a
     WHERE ${tx.tenantFilter('a')} AND a.seq < $2 AND ($4::text IS NULL OR a.request_id = $4) ORDER BY a.seq DESC LIMIT $3`,
    [tx.tenantId, opts.after ?? Number.MAX_SAFE_INTEGER, opts.limit + 1, opts.requestId ?? null],
  );
  return toPage(
    rows.map((r) => ({ ...toAuditEvent(r), seq: int(r.seq) })),
    opts.limit,
  );
}

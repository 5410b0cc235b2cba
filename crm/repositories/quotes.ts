/** SQL for quotes. */
import type { LineItem, Quote, QuoteStatus } from '../domain/types.ts';
import type { TenantTx } from '../tenancy/tenant-scope.ts';
import { int, iso, isoOrNull, jsonValue, setClause, toPage, type Page } from './rows.ts';

const QUOTE_COLUMNS = `q.seq, q.id, q.customer_id, q.status, q.line_items, q.total_cents, q.valid_until::text AS valid_until,
  q.notes, q.invoice_id, q.accepted_at, q.created_at, q.updated_at`;

export function toQuote(row: Record<string, unknown>): Quote {
  return {
    id: String(row.id),
    customerId: String(row.customer_id),
    status: row.status as QuoteStatus,
    lineItems: jsonValue<LineItem[]>(row.line_items),
    totalCents: int(row.total_cents),
    validUntil: row.valid_until === null ? null : String(row.valid_until),
    notes: row.notes === null ? null : String(row.notes),
    invoiceId: row.invoice_id === null ? null : String(row.invoice_id),
    acceptedAt: isoOrNull(row.accepted_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export async function insertQuote(
  tx: TenantTx,
  input: { customerId: string; lineItems: LineItem[]; totalCents: number; validUntil?: string; notes?: string },
): Promise<Quote> {
  const rows = await tx.query(
    `INSERT INTO quotes AS q (tenant_id, customer_id, status, line_items, total_cents, valid_until, notes, created_at, updated_at)
     VALUES ($1, $2, 'draft', $3, $4, $5, $6, clock_timestamp(), clock_timestamp()) RETURNING ${QUOTE_COLUMNS}`,
    [
      tx.tenantId,
      input.customerId,
      JSON.stringify(input.lineItems),
      input.totalCents,
      input.validUntil ?? null,
      input.notes ?? null,
    ],
  );
  return toQuote(rows[0]!);
}

export async function findQuote(
  tx: TenantTx,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<Quote | undefined> {
  const rows = await tx.query(
    `SELECT ${QUOTE_COLUMNS} FROM quotes q WHERE ${tx.tenantFilter('q')} AND q.id = $2 ${opts.forUpdate ? 'FOR UPDATE' : ''}`,
    [tx.tenantId, id],
  );
  return rows[0] ? toQuote(rows[0]) : undefined;
}

export async function listQuotes(
  tx: TenantTx,
  opts: { after: number | null; limit: number; status?: string; customerId?: string },
): Promise<Page<Quote & { seq: number }>> {
  const rows = await tx.query(
    `SELECT ${QUOTE_COLUMNS} FROM quotes q WHERE ${tx.tenantFilter('q')} AND q.seq < $2 AND ($4::text IS NULL OR q.status = $4) AND ($5::uuid IS NULL OR q.customer_id = $5)
     ORDER BY q.seq DESC LIMIT $3`,
    [tx.tenantId, opts.after ?? Number.MAX_SAFE_INTEGER, opts.limit + 1, opts.status ?? null, opts.customerId ?? null],
  );
  return toPage(
    rows.map((r) => ({ ...toQuote(r), seq: int(r.seq) })),
    opts.limit,
  );
}

const QUOTE_PATCH_COLUMNS = {
  lineItems: { column: 'line_items', encode: (v: unknown) => JSON.stringify(v) },
  totalCents: { column: 'total_cents' },
  validUntil: { column: 'valid_until' },
  notes: { column: 'notes' },
  status: { column: 'status' },
  invoiceId: { column: 'invoice_id' },
  acceptedAt: { column: 'accepted_at' },
};

export type QuotePatch = Partial<{
  lineItems: LineItem[];
  totalCents: number;
  validUntil: string | null;
  notes: string | null;
  status: QuoteStatus;
  invoiceId: string;
  acceptedAt: string;
}>;

export async function updateQuote(tx: TenantTx, id: string, patch: QuotePatch): Promise<Quote | undefined> {
  const set = setClause(patch, QUOTE_PATCH_COLUMNS, 3);
  const rows = await tx.query(
    `UPDATE quotes q SET ${set.sql} WHERE ${tx.tenantFilter('q')} AND q.id = $2 RETURNING ${QUOTE_COLUMNS}`,
    [tx.tenantId, id, ...set.params],
  );
  return rows[0] ? toQuote(rows[0]) : undefined;
}

export async function deleteQuote(tx: TenantTx, id: string): Promise<boolean> {
  const rows = await tx.query(`DELETE FROM quotes q WHERE ${tx.tenantFilter('q')} AND q.id = $2 RETURNING q.id`, [
    tx.tenantId,
    id,
  ]);
  return rows.length > 0;
}

/** SQL for invoices and their payments. */
import type { Invoice, InvoiceStatus, LineItem, Payment, PaymentMethod } from '../domain/types.ts';
import type { TenantTx } from '../tenancy/tenant-scope.ts';
import { int, iso, jsonValue, setClause, toPage, type Page } from './rows.ts';

const INVOICE_COLUMNS = `i.seq, i.id, i.customer_id, i.quote_id, i.status, i.line_items, i.total_cents, i.paid_cents,
  i.due_date::text AS due_date, i.created_at, i.updated_at`;

export function toInvoice(row: Record<string, unknown>): Invoice {
  const total = int(row.total_cents);
  const paid = int(row.paid_cents);
  return {
    id: String(row.id),
    customerId: String(row.customer_id),
    quoteId: row.quote_id === null ? null : String(row.quote_id),
    status: row.status as InvoiceStatus,
    lineItems: jsonValue<LineItem[]>(row.line_items),
    totalCents: total,
    paidCents: paid,
    balanceCents: row.status === 'void' ? 0 : total - paid,
    dueDate: String(row.due_date),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export async function insertInvoice(
  tx: TenantTx,
  input: { customerId: string; quoteId?: string; lineItems: LineItem[]; totalCents: number; dueDate: string },
): Promise<Invoice> {
  const rows = await tx.query(
    `INSERT INTO invoices AS i (tenant_id, customer_id, quote_id, status, line_items, total_cents, paid_cents, due_date, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 0, $7, clock_timestamp(), clock_timestamp()) RETURNING ${INVOICE_COLUMNS}`,
    [
      tx.tenantId,
      input.customerId,
      input.quoteId ?? null,
      input.totalCents === 0 ? 'paid' : 'open',
      JSON.stringify(input.lineItems),
      input.totalCents,
      input.dueDate,
    ],
  );
  return toInvoice(rows[0]!);
}

export async function findInvoice(
  tx: TenantTx,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<Invoice | undefined> {
  const rows = await tx.query(
    `SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE ${tx.tenantFilter('i')} AND i.id = $2 ${opts.forUpdate ? 'FOR UPDATE' : ''}`,
    [tx.tenantId, id],
  );
  return rows[0] ? toInvoice(rows[0]) : undefined;
}

export async function listInvoices(
  tx: TenantTx,
  opts: { after: number | null; limit: number; status?: string; customerId?: string },
): Promise<Page<Invoice & { seq: number }>> {
  const rows = await tx.query(
    `SELECT ${INVOICE_COLUMNS} FROM invoices i WHERE ${tx.tenantFilter('i')} AND i.seq < $2 AND ($4::text IS NULL OR i.status = $4) AND ($5::uuid IS NULL OR i.customer_id = $5)
     ORDER BY i.seq DESC LIMIT $3`,
    [tx.tenantId, opts.after ?? Number.MAX_SAFE_INTEGER, opts.limit + 1, opts.status ?? null, opts.customerId ?? null],
  );
  return toPage(
    rows.map((r) => ({ ...toInvoice(r), seq: int(r.seq) })),
    opts.limit,
  );
}

export type InvoicePatch = Partial<{ dueDate: string; status: InvoiceStatus; paidCents: number }>;

export async function updateInvoice(tx: TenantTx, id: string, patch: InvoicePatch): Promise<Invoice | undefined> {
  const set = setClause(
    patch,
    { dueDate: { column: 'due_date' }, status: { column: 'status' }, paidCents: { column: 'paid_cents' } },
    3,
  );
  const rows = await tx.query(
    `UPDATE invoices i SET ${set.sql} WHERE ${tx.tenantFilter('i')} AND i.id = $2 RETURNING ${INVOICE_COLUMNS}`,
    [tx.tenantId, id, ...set.params],
  );
  return rows[0] ? toInvoice(rows[0]) : undefined;
}

const PAYMENT_COLUMNS = 'p.seq, p.id, p.invoice_id, p.amount_cents, p.method, p.received_at, p.reference, p.created_at';

export function toPayment(row: Record<string, unknown>): Payment {
  return {
    id: String(row.id),
    invoiceId: String(row.invoice_id),
    amountCents: int(row.amount_cents),
    method: row.method as PaymentMethod,
    receivedAt: iso(row.received_at),
    reference: row.reference === null ? null : String(row.reference),
    createdAt: iso(row.created_at),
  };
}

export async function insertPayment(
  tx: TenantTx,
  input: { invoiceId: string; amountCents: number; method: PaymentMethod; receivedAt?: string; reference?: string },
): Promise<Payment> {
  const rows = await tx.query(
    `INSERT INTO payments AS p (tenant_id, invoice_id, amount_cents, method, received_at, reference, created_at)
     VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, clock_timestamp()), $6, clock_timestamp()) RETURNING ${PAYMENT_COLUMNS}`,
    [tx.tenantId, input.invoiceId, input.amountCents, input.method, input.receivedAt ?? null, input.reference ?? null],
  );
  return toPayment(rows[0]!);
}

export async function listPayments(
  tx: TenantTx,
  invoiceId: string,
  opts: { after: number | null; limit: number },
): Promise<Page<Payment & { seq: number }>> {
  const rows = await tx.query(
    `SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE ${tx.tenantFilter('p')} AND p.invoice_id = $2 AND p.seq < $3 ORDER BY p.seq DESC LIMIT $4`,
    [tx.tenantId, invoiceId, opts.after ?? Number.MAX_SAFE_INTEGER, opts.limit + 1],
  );
  return toPage(
    rows.map((r) => ({ ...toPayment(r), seq: int(r.seq) })),
    opts.limit,
  );
}

/** SQL for customers. Every function takes a TenantTx and filters on tenant_id explicitly. */
import type { SqlExecutor } from '../db/database.ts';
import type { Address, Customer } from '../domain/types.ts';
import type { TenantTx } from '../tenancy/tenant-scope.ts';
import { int, iso, jsonParam, jsonValue, likePattern, setClause, toPage, type Page } from './rows.ts';

export const CUSTOMER_COLUMNS =
  'c.seq, c.id, c.tenant_id, c.name, c.email, c.phone, c.address, c.tags, c.created_at, c.updated_at';

export type CustomerRow = Record<string, unknown>;

export function toCustomer(row: CustomerRow): Customer {
  return {
    id: String(row.id),
    name: String(row.name),
    email: String(row.email),
    phone: row.phone === null ? null : String(row.phone),
    address: row.address === null ? null : jsonValue<Address>(row.address),
    tags: jsonValue<string[]>(row.tags),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export interface CustomerCreate {
  name: string;
  email: string;
  phone?: string;
  address?: Address;
  tags?: string[];
}

export type CustomerPatch = Partial<{
  name: string;
  email: string;
  phone: string | null;
  address: Address | null;
  tags: string[];
}>;

export async function insertCustomer(sql: SqlExecutor, tenantId: string, input: CustomerCreate): Promise<Customer> {
  const rows = await sql.query(
    `INSERT INTO customers AS c (tenant_id, name, email, phone, address, tags, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), clock_timestamp()) RETURNING ${CUSTOMER_COLUMNS}`,
    [
      tenantId,
      input.name,
      input.email,
      input.phone ?? null,
      jsonParam(input.address ?? null),
      JSON.stringify(input.tags ?? []),
    ],
  );
  return toCustomer(rows[0]!);
}

export async function findCustomer(tx: TenantTx, id: string): Promise<Customer | undefined> {
  const rows = await tx.query(
    `SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE ${tx.tenantFilter('c')} AND c.id = $2`,
    [tx.tenantId, id],
  );
  return rows[0] ? toCustomer(rows[0]) : undefined;
}

export async function lockCustomer(tx: TenantTx, id: string): Promise<boolean> {
  const rows = await tx.query(`SELECT c.id FROM customers c WHERE ${tx.tenantFilter('c')} AND c.id = $2 FOR UPDATE`, [
    tx.tenantId,
    id,
  ]);
  return rows.length > 0;
}

export async function listCustomers(
  tx: TenantTx,
  opts: { after: number | null; limit: number; q?: string },
): Promise<Page<Customer & { seq: number }>> {
  const params: unknown[] = [tx.tenantId, opts.after ?? Number.MAX_SAFE_INTEGER, opts.limit + 1];
  let filter = '';
  if (opts.q !== undefined) {
    params.push(likePattern(opts.q));
    filter = `AND (c.name ILIKE $4 ESCAPE '\\' OR c.email ILIKE $4 ESCAPE '\\')`;
  }
  const rows = await tx.query(
    `SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE ${tx.tenantFilter('c')} AND c.seq < $2 ${filter} ORDER BY c.seq DESC LIMIT $3`,
    params,
  );
  return toPage(
    rows.map((r) => ({ ...toCustomer(r), seq: int(r.seq) })),
    opts.limit,
  );
}

export const CUSTOMER_PATCH_COLUMNS = {
  name: { column: 'name' },
  email: { column: 'email' },
  phone: { column: 'phone' },
  address: { column: 'address', encode: jsonParam },
  tags: { column: 'tags', encode: (v: unknown) => JSON.stringify(v) },
};

export async function updateCustomer(tx: TenantTx, id: string, patch: CustomerPatch): Promise<Customer | undefined> {
  const set = setClause(patch, CUSTOMER_PATCH_COLUMNS, 3);
  const rows = await tx.query(
    `UPDATE customers c SET ${set.sql} WHERE ${tx.tenantFilter('c')} AND c.id = $2 RETURNING ${CUSTOMER_COLUMNS}`,
    [tx.tenantId, id, ...set.params],
  );
  return rows[0] ? toCustomer(rows[0]) : undefined;
}

/** The customer (if any) of this tenant that already uses `email`. */
export async function findCustomerByEmail(
  tx: TenantTx,
  email: string,
  exceptId?: string,
): Promise<{ id: string; name: string } | undefined> {
  const rows = await tx.query<{ id: string; name: string }>(
    `SELECT c.id, c.name FROM customers c WHERE ${tx.tenantFilter('c')} AND lower(c.email) = lower($2) AND c.id IS DISTINCT FROM $3::uuid`,
    [tx.tenantId, email, exceptId ?? null],
  );
  return rows[0];
}

export async function countCustomerReferences(tx: TenantTx, id: string): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM jobs j WHERE ${tx.tenantFilter('j')} AND j.customer_id = $2)
           + (SELECT count(*) FROM quotes q WHERE ${tx.tenantFilter('q')} AND q.customer_id = $2)
           + (SELECT count(*) FROM invoices i WHERE ${tx.tenantFilter('i')} AND i.customer_id = $2))::int AS n`,
    [tx.tenantId, id],
  );
  return int(rows[0]?.n ?? 0);
}

export async function deleteCustomer(tx: TenantTx, id: string): Promise<boolean> {
  const rows = await tx.query(`DELETE FROM customers c WHERE ${tx.tenantFilter('c')} AND c.id = $2 RETURNING c.id`, [
    tx.tenantId,
    id,
  ]);
  return rows.length > 0;
}

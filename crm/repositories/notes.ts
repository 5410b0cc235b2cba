/** SQL for notes (children of customers; deleted with their customer). */
import type { SqlExecutor } from '../db/database.ts';
import type { Note } from '../domain/types.ts';
import type { TenantTx } from '../tenancy/tenant-scope.ts';
import { int, iso, toPage, type Page } from './rows.ts';

const NOTE_COLUMNS = 'n.seq, n.id, n.customer_id, n.body, n.created_at';

export function toNote(row: Record<string, unknown>): Note {
  return {
    id: String(row.id),
    customerId: String(row.customer_id),
    body: String(row.body),
    createdAt: iso(row.created_at),
  };
}

export async function insertNote(sql: SqlExecutor, tenantId: string, customerId: string, body: string): Promise<Note> {
  const rows = await sql.query(
    `INSERT INTO notes AS n (tenant_id, customer_id, body, created_at) VALUES ($1, $2, $3, clock_timestamp()) RETURNING ${NOTE_COLUMNS}`,
    [tenantId, customerId, body],
  );
  return toNote(rows[0]!);
}

export async function findNote(tx: TenantTx, customerId: string, id: string): Promise<Note | undefined> {
  const rows = await tx.query(
    `SELECT ${NOTE_COLUMNS} FROM notes n WHERE ${tx.tenantFilter('n')} AND n.customer_id = $2 AND n.id = $3`,
    [tx.tenantId, customerId, id],
  );
  return rows[0] ? toNote(rows[0]) : undefined;
}

export async function listNotes(
  tx: TenantTx,
  customerId: string,
  opts: { after: number | null; limit: number },
): Promise<Page<Note & { seq: number }>> {
  const rows = await tx.query(
    `SELECT ${NOTE_COLUMNS} FROM notes n WHERE ${tx.tenantFilter('n')} AND n.customer_id = $2 AND n.seq < $3 ORDER BY n.seq DESC LIMIT $4`,
    [tx.tenantId, customerId, opts.after ?? Number.MAX_SAFE_INTEGER, opts.limit + 1],
  );
  return toPage(
    rows.map((r) => ({ ...toNote(r), seq: int(r.seq) })),
    opts.limit,
  );
}

export async function deleteNote(tx: TenantTx, customerId: string, id: string): Promise<boolean> {
  const rows = await tx.query(
    `DELETE FROM notes n WHERE ${tx.tenantFilter('n')} AND n.customer_id = $2 AND n.id = $3 RETURNING n.id`,
    [tx.tenantId, customerId, id],
  );
  return rows.length > 0;
}

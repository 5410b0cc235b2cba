/** SQL for jobs. A job embeds its customer's id and name. */
import type { SqlExecutor } from '../db/database.ts';
import type { Address, Job, JobStatus } from '../domain/types.ts';
import type { TenantTx } from '../tenancy/tenant-scope.ts';
import { int, iso, jsonParam, jsonValue, setClause, toPage, type Page } from './rows.ts';

export const JOB_SELECT = `SELECT j.seq, j.id, j.customer_id, c.name AS customer_name, j.title, j.description, j.status,
    j.scheduled_start, j.scheduled_end, j.assigned_to, j.address, j.created_at, j.updated_at
  FROM jobs j JOIN customers c ON c.tenant_id = j.tenant_id AND c.id = j.customer_id`;

export function toJob(row: Record<string, unknown>): Job {
  return {
    id: String(row.id),
    customerId: String(row.customer_id),
    customer: { id: String(row.customer_id), name: String(row.customer_name) },
    title: String(row.title),
    description: row.description === null ? null : String(row.description),
    status: row.status as JobStatus,
    scheduledStart: iso(row.scheduled_start),
    scheduledEnd: iso(row.scheduled_end),
    assignedTo: row.assigned_to === null ? null : String(row.assigned_to),
    address: row.address === null ? null : jsonValue<Address>(row.address),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export interface JobCreate {
  customerId: string;
  title: string;
  description?: string;
  status?: JobStatus;
  scheduledStart: string;
  scheduledEnd: string;
  assignedTo?: string;
  address?: Address;
}

export type JobPatch = Partial<{
  title: string;
  description: string | null;
  status: JobStatus;
  scheduledStart: string;
  scheduledEnd: string;
  assignedTo: string | null;
  address: Address | null;
}>;

/** Inserts a job for `tenantId` and returns it with its customer embedded. */
export async function insertJob(sql: SqlExecutor, tenantId: string, input: JobCreate): Promise<Job> {
  const rows = await sql.query(
    `WITH j AS (
       INSERT INTO jobs (tenant_id, customer_id, title, description, status, scheduled_start, scheduled_end, assigned_to, address, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp(), clock_timestamp()) RETURNING *)
     SELECT j.*, c.name AS customer_name FROM j JOIN customers c ON c.tenant_id = j.tenant_id AND c.id = j.customer_id`,
    [
      tenantId,
      input.customerId,
      input.title,
      input.description ?? null,
      input.status ?? 'scheduled',
      input.scheduledStart,
      input.scheduledEnd,
      input.assignedTo ?? null,
      jsonParam(input.address ?? null),
    ],
  );
  return toJob(rows[0]!);
}

export async function findJob(tx: TenantTx, id: string): Promise<Job | undefined> {
  const rows = await tx.query(`${JOB_SELECT} WHERE ${tx.tenantFilter('j')} AND j.id = $2`, [tx.tenantId, id]);
  return rows[0] ? toJob(rows[0]) : undefined;
}

export async function listJobs(
  tx: TenantTx,
  opts: { after: number | null; limit: number; status?: string; customerId?: string },
): Promise<Page<Job & { seq: number }>> {
  const rows = await tx.query(
    `${JOB_SELECT} WHERE ${tx.tenantFilter('j')} AND j.seq < $2 AND ($4::text IS NULL OR j.status = $4) AND ($5::uuid IS NULL OR j.customer_id = $5)
     ORDER BY j.seq DESC LIMIT $3`,
    [tx.tenantId, opts.after ?? Number.MAX_SAFE_INTEGER, opts.limit + 1, opts.status ?? null, opts.customerId ?? null],
  );
  return toPage(
    rows.map((r) => ({ ...toJob(r), seq: int(r.seq) })),
    opts.limit,
  );
}

export const JOB_PATCH_COLUMNS = {
  title: { column: 'title' },
  description: { column: 'description' },
  status: { column: 'status' },
  scheduledStart: { column: 'scheduled_start' },
  scheduledEnd: { column: 'scheduled_end' },
  assignedTo: { column: 'assigned_to' },
  address: { column: 'address', encode: jsonParam },
};

export async function updateJob(tx: TenantTx, id: string, patch: JobPatch): Promise<Job | undefined> {
  const set = setClause(patch, JOB_PATCH_COLUMNS, 3);
  const rows = await tx.query(
    `UPDATE jobs j SET ${set.sql} WHERE ${tx.tenantFilter('j')} AND j.id = $2 RETURNING j.id`,
    [tx.tenantId, id, ...set.params],
  );
  return rows[0] ? findJob(tx, id) : undefined;
}

export async function deleteJob(tx: TenantTx, id: string): Promise<boolean> {
  const rows = await tx.query(`DELETE FROM jobs j WHERE ${tx.tenantFilter('j')} AND j.id = $2 RETURNING j.id`, [
    tx.tenantId,
    id,
  ]);
  return rows.length > 0;
}

export async function scheduleJobs(
  tx: TenantTx,
  window: { from: string; to: string; assignedTo?: string },
): Promise<Job[]> {
  const rows = await tx.query(
    `${JOB_SELECT} WHERE ${tx.tenantFilter('j')} AND j.scheduled_start < $3 AND j.scheduled_end > $2 AND ($4::text IS NULL OR j.assigned_to = $4)
     ORDER BY j.scheduled_start, j.seq LIMIT 1000`,
    [tx.tenantId, window.from, window.to, window.assignedTo ?? null],
  );
  return rows.map(toJob);
}

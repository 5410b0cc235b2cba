/**
 * Idempotency-Key storage, scoped per (tenant, key), kept in a tenant-owned RLS table.
 *
 * The protocol is atomic: a keyed request first *claims* its key inside the transaction that will
 * hold its writes, and *completes* it with the response before that transaction commits. The
 * primary key (tenant_id, key) does the rest, on one process or many:
 * - a concurrent duplicate's claim waits on the first one's uncommitted row, then sees the
 *   committed response and replays it (or, past the lock timeout, gets 409 in progress);
 * - a crash rolls back the claim with the writes, so a retry runs afresh;
 * - a retry after a commit whose response was lost replays the committed response.
 */
import { createHash } from 'node:crypto';
import { sqlState, type SqlExecutor } from '../db/database.ts';
import { IdempotencyInProgressError } from './idempotency-errors.ts';
import type { TenantScope, TenantTx } from './tenant-scope.ts';

export interface StoredResponse {
  requestHash: string;
  status: number;
  body: string;
}

export interface IdempotencyStore {
  /**
   * Optional look-up before any transaction opens. The clean build has none (the claim does it);
   * a fault may add one.
   */
  recall?(scope: TenantScope, key: string): Promise<StoredResponse | undefined>;
  /**
   * Claims `key` for this request inside `tx`. Returns the committed response when the key was
   * already used (by this request or another), undefined when the claim is now ours.
   */
  claim(tx: TenantTx, key: string, requestHash: string): Promise<StoredResponse | undefined>;
  /** Stores the response of the claimed key, inside the same transaction. */
  complete(tx: TenantTx, key: string, response: StoredResponse): Promise<void>;
}

/** SQLSTATE lock_not_available: the claim's wait ran past `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';

/** How long a duplicate waits for the first request with its key before 409 in progress. */
export const IDEMPOTENCY_WAIT_MS = 10_000;

/** Hash of what makes two requests "the same": method, route, params and canonical body. */
export function requestHash(parts: { method: string; route: string; params: unknown; body: unknown }): string {
  return createHash('sha256')
    .update(canonicalJson([parts.method, parts.route, parts.params ?? null, parts.body ?? null]))
    .digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

type KeyRow = {
  request_hash: string;
  status: number | null;
  body: string | null;
};

/**
 * A committed row always has its response (claim and completion commit together); a row
 * without one is a claim still held, so the request is in progress.
 */
export function toStoredResponse(row: KeyRow | undefined): StoredResponse {
  if (!row || row.status === null || row.body === null) throw new IdempotencyInProgressError();
  return { requestHash: row.request_hash, status: Number(row.status), body: row.body };
}

/**
 * The claim as SQL, shared by the tenant and the admin tables: insert the key, or (after waiting
 * for a concurrent holder to finish) read the committed row. A transaction-local `lock_timeout`
 * bounds the wait; past it the request gets 409 in progress.
 */
export async function claimKey(
  sql: SqlExecutor,
  insert: { text: string; params: readonly unknown[] },
  select: { text: string; params: readonly unknown[] },
): Promise<StoredResponse | undefined> {
  await sql.query(`SELECT set_config('lock_timeout', $1, true)`, [`${IDEMPOTENCY_WAIT_MS}ms`]);
  let inserted;
  try {
    inserted = await sql.query(insert.text, insert.params);
  } catch (error) {
    if (sqlState(error) === LOCK_NOT_AVAILABLE) throw new IdempotencyInProgressError();
    throw error;
  }
  if (inserted.length > 0) return undefined;
  return toStoredResponse((await sql.query<KeyRow>(select.text, select.params))[0]);
}

export const tenantScopedIdempotencyStore: IdempotencyStore = {
  claim(tx, key, hash) {
    return claimKey(
      tx,
      {
        text: `INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES ($1, $2, $3)
               ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key`,
        params: [tx.tenantId, key, hash],
      },
      {
        text: `SELECT request_hash, status, body FROM idempotency_keys WHERE ${tx.tenantFilter()} AND key = $2`,
        params: [tx.tenantId, key],
      },
    );
  },
  async complete(tx, key, response) {
    await tx.query(`UPDATE idempotency_keys SET status = $3, body = $4 WHERE ${tx.tenantFilter()} AND key = $2`, [
      tx.tenantId,
      key,
      response.status,
      response.body,
    ]);
  },
};

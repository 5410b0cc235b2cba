/** Idempotency-Key storage, scoped per (tenant, key), kept in a tenant-owned RLS table. */
import { createHash } from 'node:crypto';
import type { TenantScope } from './tenant-scope.ts';

export interface StoredResponse {
  requestHash: string;
  status: number;
  body: string;
}

export interface IdempotencyStore {
  find(scope: TenantScope, key: string): Promise<StoredResponse | undefined>;
  save(scope: TenantScope, key: string, response: StoredResponse): Promise<void>;
}

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

export const tenantScopedIdempotencyStore: IdempotencyStore = {
  async find(scope, key) {
    const rows = await scope.run((tx) =>
      tx.query<{ request_hash: string; status: number; body: string }>(
        `SELECT request_hash, status, body FROM idempotency_keys WHERE ${tx.tenantFilter()} AND key = $2`,
        [tx.tenantId, key],
      ),
    );
    const row = rows[0];
    return row ? { requestHash: row.request_hash, status: Number(row.status), body: row.body } : undefined;
  },
  async save(scope, key, response) {
    await scope.run((tx) =>
      tx.query(
        `INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, key) DO NOTHING`,
        [tx.tenantId, key, response.requestHash, response.status, response.body],
      ),
    );
  },
};

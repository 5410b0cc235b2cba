/** API keys: random, shown once, stored only as SHA-256; resolved by a SECURITY DEFINER function. */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { TenantContext } from './tenant-context.ts';

export function generateApiKey(): string {
  return `tpk_${randomBytes(24).toString('base64url')}`;
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

export interface ApiKeyResolver {
  resolve(apiKey: string): Promise<TenantContext | undefined>;
  clear(): void;
}

const CACHE_TTL_MS = 5_000;

export function createApiKeyResolver(db: Database): ApiKeyResolver {
  const cache = new Map<string, { context: TenantContext; expires: number }>();
  return {
    async resolve(apiKey) {
      const hash = hashApiKey(apiKey);
      const hit = cache.get(hash);
      if (hit && hit.expires > Date.now()) return hit.context;
      const rows = await db.transaction(async (sql) => {
        // Resolution runs as crm_app with no tenant context: it can only call the definer function.
        await sql.query('SET LOCAL ROLE crm_app');
        return sql.query<{ tenant_id: string; tenant_name: string }>(
          'SELECT tenant_id, tenant_name FROM crm_resolve_api_key($1)',
          [hash],
        );
      });
      const row = rows[0];
      if (!row) return undefined;
      const context = { tenantId: row.tenant_id, tenantName: row.tenant_name };
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, { context, expires: Date.now() + CACHE_TTL_MS });
      return context;
    },
    clear() {
      cache.clear();
    },
  };
}

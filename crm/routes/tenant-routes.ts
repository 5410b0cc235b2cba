/** Provisioning (admin token) and `GET /v1/me`. */
import { generateApiKey, hashApiKey } from '../tenancy/api-keys.ts';
import { iso } from '../repositories/rows.ts';
import type { Handler } from './route-context.ts';

export const createTenant: Handler = async (ctx) => {
  const name = String(ctx.body.name);
  const apiKey = generateApiKey();
  const tenant = await ctx.admin.db.transaction(async (sql) => {
    const rows = await sql.query(
      'INSERT INTO tenants (name, created_at) VALUES ($1, clock_timestamp()) RETURNING id, name, created_at',
      [name],
    );
    const row = rows[0]!;
    await sql.query('INSERT INTO api_keys (key_hash, tenant_id) VALUES ($1, $2)', [hashApiKey(apiKey), row.id]);
    return { id: String(row.id), name: String(row.name), createdAt: iso(row.created_at) };
  });
  return { status: 201, body: { tenant, apiKey } };
};

export const getMe: Handler = async (ctx) => {
  const rows = await ctx.scope.run((tx) =>
    tx.query<{ id: string; name: string }>('SELECT t.id, t.name FROM tenants t WHERE t.id = $1', [tx.tenantId]),
  );
  const tenant = rows[0];
  return {
    status: 200,
    body: {
      tenantId: tenant?.id ?? ctx.scope.tenantId,
      tenantName: tenant?.name ?? '',
      rateLimit: { ...ctx.admin.rateLimit },
    },
  };
};

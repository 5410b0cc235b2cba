/**
 * The provisioning module `nightly-isolation.yml` uses (`--provision module:./tenantproof/provision-tenants.ts`):
 * a FRESH tenant for every tenant slot of every run, made through the staging deployment's admin
 * API. Fresh tenants matter for a sharded campaign: the shards run at the same time, and two shards
 * sharing a tenant would see each other's writes (false non-interference and model findings).
 *
 * In your repository, import the types from 'tenantproof' instead of the relative path below, and
 * adapt the path, header and response fields to your admin API. Environment:
 *   STAGING_ADMIN_TOKEN  (required) the admin credential, from a repository secret
 *   TP_TENANTS_PATH      default /v1/tenants
 *   TP_ADMIN_HEADER      default X-Admin-Token
 *   TP_AUTH_SCHEME       default Bearer
 * The admin token and each tenant's API key are returned as secrets, so the transcript redacts them.
 */
import type { ProvisionContext, ProvisionResult } from '../../harness/tenants/index.ts';

interface CreatedTenant {
  id?: unknown;
  apiKey?: unknown;
}

export default async function provision(i: number, ctx: ProvisionContext): Promise<ProvisionResult> {
  const token = ctx.env.STAGING_ADMIN_TOKEN;
  if (!token) throw new Error('STAGING_ADMIN_TOKEN is not set (a repository secret, passed to the step as env)');
  const path = ctx.env.TP_TENANTS_PATH ?? '/v1/tenants';
  const header = ctx.env.TP_ADMIN_HEADER ?? 'X-Admin-Token';
  const scheme = ctx.env.TP_AUTH_SCHEME ?? 'Bearer';
  // runTag is unique per run (so per shard): no two shards, and no two nights, share a tenant.
  const res = await ctx.http.post<CreatedTenant>(
    path,
    { name: `tenantproof ${ctx.runTag} t${i}` },
    { headers: { [header]: token, 'Content-Type': 'application/json' } },
  );
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`creating tenant ${i} with POST ${path} failed with HTTP ${res.status}`);
  const { id, apiKey } = res.data;
  if (typeof apiKey !== 'string' || apiKey === '') throw new Error(`POST ${path} returned no apiKey for tenant ${i}`);
  return {
    headers: { Authorization: `${scheme} ${apiKey}` },
    ...(typeof id === 'string' ? { id } : {}),
    secrets: [apiKey, token],
  };
}

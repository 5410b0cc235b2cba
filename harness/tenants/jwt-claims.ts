/**
 * Tenant claims of a bearer JWT (decoded, not verified: the harness only reads what the target
 * put there). A claim named like a tenant selector (`tid`, `org_id`, `organisationId`, `tenant`,
 * `workspace_id`, …) gives the tenant's real id when provisioning did not, and its name is one more
 * field an injection probe tries.
 */
import { isTenantFieldName } from '../openapi/tenant-fields.ts';

export interface TenantClaim {
  name: string;
  value: string;
}

/** Claims of the `Authorization: Bearer <jwt>` among `headers` whose names say they select a tenant. */
export function tenantClaims(headers: Readonly<Record<string, string>>): TenantClaim[] {
  const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const token = /^Bearer\s+([\w-]+\.([\w-]+)\.[\w-]*)$/i.exec(auth ?? '')?.[2];
  if (!token) return [];
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return [];
  }
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return [];
  return Object.entries(claims as Record<string, unknown>)
    .filter(
      ([name, v]) => (name === 'tid' || isTenantFieldName(name)) && (typeof v === 'string' || typeof v === 'number'),
    )
    .map(([name, v]) => ({ name, value: String(v) }));
}

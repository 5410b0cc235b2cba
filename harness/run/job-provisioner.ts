/**
 * The tenants of a run job: fresh ones per run with `crm-admin`, the same ones every run with
 * `file:` and `module:` (which cannot make tenants). Every secret a provisioner returns is handed to
 * the transcript writer for redaction before a request carrying it is written.
 */
import type { TranscriptWriter } from '../evidence/index.ts';
import { provisionTenants, type TenantCredentials } from '../tenants/index.ts';
import { tenantClaims } from '../tenants/jwt-claims.ts';
import type { Provisioner } from './campaign-types.ts';
import type { ProvisionedTenant } from './run-context.ts';
import type { RunConfig } from './settings.ts';

export interface JobProvisioner {
  provision: Provisioner;
  /** Whether each run gets tenants nobody used before. */
  fresh: boolean;
  /** Names of tenant claims seen in the tenants' JWTs (more fields for injection probes). */
  claimNames: () => string[];
  /** `header:NAME` of the tenants' selector headers (`header:Host`): overridden by header-injection probes. */
  selectorHeaders: () => string[];
}

/** A provisioned credential as a run uses it; the tenant's real id is the provisioner's, else a tenant claim of its JWT. */
export function provisionedTenant(c: TenantCredentials): ProvisionedTenant {
  const tenantId = c.id !== c.label ? c.id : tenantClaims(c.headers)[0]?.value;
  return {
    label: c.label,
    headers: { ...c.headers },
    ...(tenantId !== undefined ? { tenantId } : {}),
    ...(c.selectors ? { selectors: c.selectors } : {}),
    ...(c.role !== undefined ? { role: c.role } : {}),
    ...(c.users ? { users: c.users } : {}),
  };
}

export function jobProvisioner(
  config: RunConfig,
  context: { baseUrl: string; adminToken?: string; runId: string; transcript: TranscriptWriter },
): JobProvisioner {
  const fresh = config.provision === 'crm-admin';
  const claimNames = new Set<string>();
  const selectorHeaders = new Set<string>();
  let cached: ProvisionedTenant[] | undefined;
  const provision: Provisioner = async (count, run) => {
    if (!fresh && cached) return cached;
    // A credentials file gives every tenant it holds, unless --tenants asked for a number.
    const takeAll = config.provision.startsWith('file:') && config.tenants === undefined;
    const creds = await provisionTenants(config.provision, {
      ...(takeAll ? {} : { count }),
      baseUrl: context.baseUrl,
      ...(context.adminToken ? { adminToken: context.adminToken } : {}),
      runTag: `${context.runId}-r${run}`,
      timeoutMs: config.requestTimeout,
      maxResponseBytes: config.maxResponseSize,
    });
    for (const c of creds) for (const s of c.secrets) context.transcript.addSecret(s);
    cached = creds.map((c) => {
      for (const claim of tenantClaims(c.headers)) claimNames.add(claim.name);
      for (const key of Object.keys(c.selectors ?? {})) if (key.startsWith('header:')) selectorHeaders.add(key);
      return provisionedTenant(c);
    });
    return cached;
  };
  return { provision, fresh, claimNames: () => [...claimNames], selectorHeaders: () => [...selectorHeaders] };
}

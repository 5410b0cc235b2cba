/**
 * The tenants of a run job: fresh ones per run with `crm-admin`, the same ones every run with
 * `file:` and `module:` (which cannot make tenants). Every secret a provisioner returns is handed to
 * the transcript writer for redaction before a request carrying it is written.
 */
import type { TranscriptWriter } from '../evidence/index.ts';
import { provisionTenants } from '../tenants/index.ts';
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
}

export function jobProvisioner(
  config: RunConfig,
  context: { baseUrl: string; adminToken?: string; runId: string; transcript: TranscriptWriter },
): JobProvisioner {
  const fresh = config.provision === 'crm-admin';
  const claimNames = new Set<string>();
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
      // The tenant's real id: the provisioner's, else a tenant claim of its JWT.
      const claims = tenantClaims(c.headers);
      for (const claim of claims) claimNames.add(claim.name);
      const tenantId = c.id !== c.label ? c.id : claims[0]?.value;
      return { label: c.label, headers: { ...c.headers }, ...(tenantId !== undefined ? { tenantId } : {}) };
    });
    return cached;
  };
  return { provision, fresh, claimNames: () => [...claimNames] };
}

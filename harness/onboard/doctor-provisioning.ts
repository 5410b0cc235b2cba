/**
 * The live provisioning check of `tenantproof doctor`: provision 2 tenants with the configured
 * provisioner (as `run` does), call a tenant-owned GET collection with each credential (2xx
 * expected), check the two are distinct tenants, and whether provisioning gives real tenant ids
 * (tenant-override probes need them to name a victim). Every check that does not pass carries its fix.
 */
import axios from 'axios';
import type { CampaignPlan, PlannedOperation } from '../model/plan.ts';
import { provisionTenants } from '../tenants/provision-tenants.ts';
import { tenantClaims } from '../tenants/jwt-claims.ts';
import { selectorParts } from '../tenants/selector-parts.ts';
import { ProvisioningError, type TenantCredentials } from '../tenants/tenant-credentials.ts';

export type CheckStatus = 'ok' | 'fail' | 'gap';

export interface ProvisioningCheckLine {
  status: CheckStatus;
  /** What was checked and what happened, in one line. */
  detail: string;
  fix?: string;
}

export interface ProvisioningCheck {
  provisioner: string;
  target: string;
  /** `fail` when a check failed (the campaign cannot run); a `gap` alone leaves it `ok`. */
  status: 'ok' | 'fail';
  /** The exit code a failure stands for: 2 for a provisioning config error, 3 for the target. */
  failureCode?: 2 | 3;
  /** Known once tenants were provisioned: each has an id other than its label, or a JWT tenant claim. */
  tenantIdsKnown: boolean | null;
  checks: ProvisioningCheckLine[];
}

export interface ProvisioningCheckOptions {
  provision: string;
  baseUrl: string;
  adminToken?: string;
  plan: CampaignPlan;
  cwd: string;
  timeoutMs: number;
  maxResponseBytes: number;
  env?: Record<string, string | undefined>;
}

/** The tenant's real id, as run/job-provisioner.ts reads it: the provisioner's, else a JWT tenant claim. */
function realTenantId(c: TenantCredentials): string | undefined {
  return c.id !== c.label ? c.id : tenantClaims(c.headers)[0]?.value;
}

/** Path parameters that are a tenant prefix (`/orgs/{orgId}`): filled with the tenant's own. */
function tenantPathParams(p: PlannedOperation): Set<string> {
  return new Set((p.op.tenantFields ?? []).filter((f) => f.in === 'path').map((f) => f.name));
}

/**
 * The request a tenant sends to `path`, as a campaign sends it: its selectors fill a tenant prefix
 * (`path:orgId`, else its id) and add their headers (`header:Host`), its credential headers last.
 */
export function tenantRequest(
  t: TenantCredentials,
  path: string,
  headers: Readonly<Record<string, string>> = t.headers,
): { path: string; headers: Record<string, string> } {
  const parts = selectorParts(t.selectors);
  const filled = path.replace(/\{([^}]+)\}/g, (m, name: string) => {
    const own = parts.pathValues[name] ?? realTenantId(t);
    return own === undefined ? m : encodeURIComponent(own);
  });
  return { path: filled, headers: { ...parts.headers, ...headers } };
}

/** A tenant-owned GET list the campaign drives that needs no record id and no required query parameter. */
export function credentialProbeOperation(plan: CampaignPlan): PlannedOperation | undefined {
  const callable = (p: PlannedOperation) =>
    Object.keys(p.pathResources).length === 0 &&
    [...p.op.path.matchAll(/\{([^}]+)\}/g)].every((m) => tenantPathParams(p).has(m[1]!)) &&
    !p.op.parameters.some((x) => x.required && (x.in === 'query' || x.in === 'cookie'));
  const byPath = (a: PlannedOperation, b: PlannedOperation) =>
    a.op.path.length - b.op.path.length || a.op.path.localeCompare(b.op.path);
  return plan.collections.filter(callable).sort(byPath)[0] ?? plan.singletons.filter(callable).sort(byPath)[0];
}

const CREDENTIAL_FIX =
  'the provisioner must return the headers that authenticate one tenant (e.g. Authorization: Bearer <token>); call the operation by hand with them to see why the target refuses';

export async function checkProvisioning(o: ProvisioningCheckOptions): Promise<ProvisioningCheck> {
  const checks: ProvisioningCheckLine[] = [];
  const result = (failureCode?: 2 | 3, tenantIdsKnown: boolean | null = null): ProvisioningCheck => ({
    provisioner: o.provision,
    target: o.baseUrl,
    status: checks.some((c) => c.status === 'fail') ? 'fail' : 'ok',
    ...(failureCode ? { failureCode } : {}),
    tenantIdsKnown,
    checks,
  });

  let tenants: TenantCredentials[];
  try {
    tenants = await provisionTenants(o.provision, {
      count: 2,
      baseUrl: o.baseUrl,
      ...(o.adminToken ? { adminToken: o.adminToken } : {}),
      cwd: o.cwd,
      timeoutMs: o.timeoutMs,
      maxResponseBytes: o.maxResponseBytes,
      runTag: `doctor-${Date.now().toString(36)}`,
      ...(o.env ? { env: o.env } : {}),
    });
  } catch (err) {
    if (!(err instanceof ProvisioningError)) throw err;
    checks.push({
      status: 'fail',
      detail: err.message,
      fix:
        err.hint ??
        (err.kind === 'config'
          ? 'fix the `provision` setting (config file or --provision): crm-admin, file:PATH or module:PATH, and what it points at'
          : 'run the provisioning by hand against the target: the message above is what failed'),
    });
    return result(err.kind === 'config' ? 2 : 3);
  }
  checks.push({
    status: 'ok',
    detail: `${tenants.length} tenants provisioned (${tenants.map((t) => t.label).join(', ')})`,
  });

  const probe = credentialProbeOperation(o.plan);
  if (!probe) {
    checks.push({
      status: 'gap',
      detail: 'credentials not tried: no tenant-owned GET list without path or required query parameters',
      fix: 'call any tenant-owned operation by hand with the provisioned headers',
    });
  } else {
    const where = `${probe.op.method.toUpperCase()} ${probe.op.path}`;
    // Every user of each tenant (an admin and an invited member) must be let in.
    const users = tenants.flatMap((t) => [
      { t, who: t.label, headers: t.headers },
      ...(t.users ?? []).map((u) => ({ t, who: `${t.label} (${u.role})`, headers: u.headers })),
    ]);
    for (const { t, who, headers } of users) {
      const request = tenantRequest(t, probe.op.path, headers);
      try {
        const answer = await axios.get(request.path, {
          baseURL: o.baseUrl,
          headers: request.headers,
          timeout: o.timeoutMs,
          maxContentLength: o.maxResponseBytes,
          maxRedirects: 0,
          validateStatus: () => true,
          responseType: 'text',
        });
        const ok = answer.status >= 200 && answer.status < 300;
        checks.push({
          status: ok ? 'ok' : 'fail',
          detail: `${who}'s credential ${ok ? 'works' : 'is refused'}: ${where} answered ${answer.status}`,
          ...(ok ? {} : { fix: CREDENTIAL_FIX }),
        });
      } catch (err) {
        checks.push({
          status: 'fail',
          detail: `${who}'s credential could not be tried: ${where} failed: ${(err as Error).message}`,
          fix: 'the target must answer the tenant-owned operations (is the base URL right, with any path prefix?)',
        });
      }
    }
  }

  const ids = tenants.map(realTenantId);
  const known = ids.every((id) => id !== undefined);
  if (known && new Set(ids).size < ids.length)
    checks.push({
      status: 'fail',
      detail: `the tenants are not distinct: ${tenants.map((t) => t.label).join(' and ')} have the same tenant id`,
      fix: 'each call of the provisioner must create (or log in to) a different tenant; use ctx.runTag and the index i in names',
    });
  else
    checks.push({
      status: 'ok',
      detail: `the tenants are distinct (different credentials${known ? ' and tenant ids' : ''})`,
    });
  checks.push(
    known
      ? { status: 'ok', detail: 'real tenant ids: tenant-override probes can name a victim' }
      : {
          status: 'gap',
          detail: 'no real tenant ids: tenant-override probes cannot name a victim',
          fix: "return `id` (the tenant's real id) from the provisioning module, or a JWT with a tenant claim",
        },
  );
  const failed = checks.some((c) => c.status === 'fail');
  return result(failed ? 3 : undefined, known);
}

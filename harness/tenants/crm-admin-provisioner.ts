/**
 * `crm-admin`: fresh tenants from the reference CRM's `POST /v1/tenants` with `X-Admin-Token`,
 * through the SDK's CrmAdminClient (@tenantproof/sdk), so it works against any running CRM
 * (embedded or remote). The answer is checked for what provisioning needs (a tenant id, an API
 * key), not against the whole contract: a CRM-like target whose ids are not UUIDs still gets
 * tested. No retries: a provisioning failure is reported at once, with its cause.
 */
import axios from 'axios';
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  CrmAdminClient,
  PermissionDeniedError,
} from '@tenantproof/sdk';
import { z } from 'zod';
import { makeCredentials, ProvisioningError, tenantLabel, type TenantCredentials } from './tenant-credentials.ts';

const createdSchema = z.object({
  tenant: z.object({ id: z.string().min(1), name: z.string() }),
  apiKey: z.string().min(8),
});

export interface CrmAdminOptions {
  baseUrl?: string;
  adminToken?: string;
  count: number;
  runTag?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

/** The SDK's error for one POST /v1/tenants, as a provisioning error that says what to fix. */
function provisioningError(err: unknown, baseUrl: string): ProvisioningError {
  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError)
    return new ProvisioningError(
      'config',
      `crm-admin: the admin token was rejected by ${baseUrl} (HTTP ${err.status})`,
    );
  if (err instanceof APIError)
    return new ProvisioningError(
      'target',
      `crm-admin: POST /v1/tenants answered HTTP ${err.status}${err.problem?.title ? `: ${err.problem.title}` : ''}`,
    );
  const code = err instanceof ConnectionError ? (err.code ?? err.message) : String(err);
  return new ProvisioningError('target', `crm-admin: cannot reach ${baseUrl} (${code})`, { cause: err });
}

export async function provisionCrmAdmin(options: CrmAdminOptions): Promise<TenantCredentials[]> {
  if (!options.baseUrl) throw new ProvisioningError('config', 'crm-admin: no target base URL to provision tenants on');
  if (!options.adminToken)
    throw new ProvisioningError('config', 'crm-admin: no admin token (pass --admin-token or set CRM_ADMIN_TOKEN)');
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const admin = new CrmAdminClient({
    baseURL: baseUrl,
    adminToken: options.adminToken,
    timeout: options.timeoutMs ?? 10_000,
    maxRetries: 0,
    validation: 'off',
    axios: axios.create({ maxContentLength: options.maxResponseBytes ?? 8 << 20 }),
  });
  const runTag = options.runTag ?? Date.now().toString(36);
  const tenants: TenantCredentials[] = [];
  for (let i = 1; i <= options.count; i++) {
    const label = tenantLabel(i);
    let body: unknown;
    try {
      body = await admin.tenants.create({ name: `tenantproof ${runTag} ${label}` });
    } catch (err) {
      throw provisioningError(err, options.baseUrl);
    }
    const parsed = createdSchema.safeParse(body);
    if (!parsed.success)
      throw new ProvisioningError(
        'target',
        `crm-admin: POST /v1/tenants returned an unexpected body (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    const created = parsed.data;
    tenants.push(
      makeCredentials({
        label,
        id: created.tenant.id,
        headers: { Authorization: `Bearer ${created.apiKey}` },
        secrets: [created.apiKey],
        name: created.tenant.name,
      }),
    );
  }
  return tenants;
}

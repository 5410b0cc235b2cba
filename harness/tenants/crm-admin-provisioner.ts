/**
 * `crm-admin`: fresh tenants from the reference CRM's `POST /v1/tenants` with `X-Admin-Token`,
 * through the SDK's CrmAdminClient (@tenantproof/sdk), so it works against any running CRM
 * (embedded or remote) and checks the answer against the contract's schema. No retries: a
 * provisioning failure is reported at once, with its cause.
 */
import axios from 'axios';
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  CrmAdminClient,
  PermissionDeniedError,
  ResponseValidationError,
} from '@tenantproof/sdk';
import { makeCredentials, ProvisioningError, tenantLabel, type TenantCredentials } from './tenant-credentials.ts';

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
  if (err instanceof ResponseValidationError)
    return new ProvisioningError(
      'target',
      `crm-admin: POST /v1/tenants returned an unexpected body (${err.issues[0] ? `${err.issues[0].path}: ${err.issues[0].message}` : 'invalid'})`,
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
    axios: axios.create({ maxContentLength: options.maxResponseBytes ?? 8 << 20 }),
  });
  const runTag = options.runTag ?? Date.now().toString(36);
  const tenants: TenantCredentials[] = [];
  for (let i = 1; i <= options.count; i++) {
    const label = tenantLabel(i);
    let created;
    try {
      created = await admin.tenants.create({ name: `tenantproof ${runTag} ${label}` });
    } catch (err) {
      throw provisioningError(err, options.baseUrl);
    }
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

/**
 * `crm-admin`: fresh tenants from the reference CRM's `POST /v1/tenants` with `X-Admin-Token`.
 * Plain HTTP through axios, so it works against any running CRM (embedded or remote).
 */
import axios, { AxiosError } from 'axios';
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

function problemTitle(data: unknown): string {
  if (data && typeof data === 'object' && 'title' in data) return `: ${String((data as { title: unknown }).title)}`;
  return '';
}

export async function provisionCrmAdmin(options: CrmAdminOptions): Promise<TenantCredentials[]> {
  if (!options.baseUrl) throw new ProvisioningError('config', 'crm-admin: no target base URL to provision tenants on');
  if (!options.adminToken)
    throw new ProvisioningError('config', 'crm-admin: no admin token (pass --admin-token or set CRM_ADMIN_TOKEN)');
  const http = axios.create({
    baseURL: options.baseUrl.replace(/\/+$/, ''),
    timeout: options.timeoutMs ?? 10_000,
    maxContentLength: options.maxResponseBytes ?? 8 << 20,
    validateStatus: () => true,
  });
  const runTag = options.runTag ?? Date.now().toString(36);
  const tenants: TenantCredentials[] = [];
  for (let i = 1; i <= options.count; i++) {
    const label = tenantLabel(i);
    let response;
    try {
      response = await http.post(
        '/v1/tenants',
        { name: `tenantproof ${runTag} ${label}` },
        { headers: { 'X-Admin-Token': options.adminToken, 'Content-Type': 'application/json' } },
      );
    } catch (err) {
      const code = err instanceof AxiosError ? (err.code ?? err.message) : String(err);
      throw new ProvisioningError('target', `crm-admin: cannot reach ${options.baseUrl} (${code})`, { cause: err });
    }
    if (response.status === 401 || response.status === 403) {
      throw new ProvisioningError(
        'config',
        `crm-admin: the admin token was rejected by ${options.baseUrl} (HTTP ${response.status})`,
      );
    }
    if (response.status !== 201 && response.status !== 200) {
      throw new ProvisioningError(
        'target',
        `crm-admin: POST /v1/tenants answered HTTP ${response.status}${problemTitle(response.data)}`,
      );
    }
    const parsed = createdSchema.safeParse(response.data);
    if (!parsed.success) {
      throw new ProvisioningError(
        'target',
        `crm-admin: POST /v1/tenants returned an unexpected body (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    }
    tenants.push(
      makeCredentials({
        label,
        id: parsed.data.tenant.id,
        headers: { Authorization: `Bearer ${parsed.data.apiKey}` },
        secrets: [parsed.data.apiKey],
        name: parsed.data.tenant.name,
      }),
    );
  }
  return tenants;
}

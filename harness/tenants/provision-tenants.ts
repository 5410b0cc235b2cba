/**
 * One entry point for every provisioning adapter: `crm-admin`, `file:PATH`, `module:PATH`.
 * A run has at least 2 tenants, 4 by default.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { provisionCrmAdmin } from './crm-admin-provisioner.ts';
import { provisionFromFile } from './credentials-file-provisioner.ts';
import { provisionFromModule } from './module-provisioner.ts';
import {
  assertCount,
  assertDistinct,
  DEFAULT_TENANTS,
  ProvisioningError,
  type TenantCredentials,
} from './tenant-credentials.ts';

export type ProvisionerSpec = { kind: 'crm-admin' } | { kind: 'file'; path: string } | { kind: 'module'; path: string };

export interface ProvisionOptions {
  /** Number of tenants. Default 4; for `file:` default all tenants in the file. */
  count?: number;
  /** The target's base URL (needed by `crm-admin`, given to modules). */
  baseUrl?: string;
  /** `crm-admin` only; default `CRM_ADMIN_TOKEN`. */
  adminToken?: string;
  /** Relative `file:`/`module:` paths resolve from here. Default `process.cwd()`. */
  cwd?: string;
  /** Per request (and per module call ×3). Default 10 s. */
  timeoutMs?: number;
  /** Largest response body the provisioning HTTP client reads (axios maxContentLength). Default 8 MB. */
  maxResponseBytes?: number;
  /** Unique per run; names tenants and is passed to modules. Default random. */
  runTag?: string;
  env?: Record<string, string | undefined>;
}

export function parseProvisionerSpec(text: string): ProvisionerSpec {
  if (text === 'crm-admin') return { kind: 'crm-admin' };
  const m = /^(file|module):(.+)$/.exec(text);
  if (m) return { kind: m[1] as 'file' | 'module', path: m[2]! };
  throw new ProvisioningError(
    'config',
    `unknown provisioning ${JSON.stringify(text)}; use crm-admin, file:PATH or module:PATH`,
  );
}

export function describeProvisioner(spec: ProvisionerSpec): string {
  return spec.kind === 'crm-admin' ? 'crm-admin' : `${spec.kind}:${spec.path}`;
}

export async function provisionTenants(
  spec: string | ProvisionerSpec,
  options: ProvisionOptions = {},
): Promise<TenantCredentials[]> {
  const parsed = typeof spec === 'string' ? parseProvisionerSpec(spec) : spec;
  const name = describeProvisioner(parsed);
  if (options.count !== undefined) assertCount(options.count, name);
  const env = options.env ?? process.env;
  const runTag = options.runTag ?? randomBytes(4).toString('hex');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxResponseBytes = options.maxResponseBytes ?? 8 << 20;
  let tenants: TenantCredentials[];
  switch (parsed.kind) {
    case 'crm-admin': {
      const adminToken = options.adminToken ?? env.CRM_ADMIN_TOKEN;
      tenants = await provisionCrmAdmin({
        count: options.count ?? DEFAULT_TENANTS,
        ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
        ...(adminToken ? { adminToken } : {}),
        runTag,
        timeoutMs,
        maxResponseBytes,
      });
      break;
    }
    case 'file':
      tenants = await provisionFromFile(resolve(options.cwd ?? process.cwd(), parsed.path), options.count, env);
      break;
    case 'module':
      tenants = await provisionFromModule(resolve(options.cwd ?? process.cwd(), parsed.path), {
        count: options.count ?? DEFAULT_TENANTS,
        ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
        runTag,
        timeoutMs: timeoutMs * 3,
        maxResponseBytes,
        env,
      });
      break;
  }
  assertDistinct(tenants, name);
  return tenants;
}

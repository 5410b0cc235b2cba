/**
 * `module:PATH`: a user's TypeScript or JavaScript module that returns the headers of tenant `i`
 * (1-based, so tenant `i` gets label `T<i>`), e.g. after logging in for a JWT:
 *
 *   export default async function provision(i, ctx) {
 *     return { headers: { Authorization: `Bearer ${await login(`user${i}`)}` } };
 *   }
 *
 * The default export, or a named `provision`, is used. TypeScript loads through tsx (registered by
 * tsx's `tsImport`, so the surrounding package.json's `type` does not matter).
 */
import { access } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import type { TenantLabel } from '../model/exchange.ts';
import { makeCredentials, ProvisioningError, tenantLabel, type TenantCredentials } from './tenant-credentials.ts';

export interface ProvisionContext {
  /** `T<i>`. */
  label: TenantLabel;
  /** How many tenants the run provisions. */
  count: number;
  /** The target's base URL, when known. */
  baseUrl?: string;
  /** An axios instance on `baseUrl` that never throws on HTTP status. */
  http: AxiosInstance;
  /** Unique per run: use it in user names and emails so runs do not collide. */
  runTag: string;
  env: Record<string, string | undefined>;
}

export type ProvisionFunction = (i: number, ctx: ProvisionContext) => Promise<ProvisionResult> | ProvisionResult;

export const provisionResultSchema = z.object({
  headers: z
    .record(z.string().min(1), z.string().min(1))
    .refine((h) => Object.keys(h).length > 0, { message: 'must have at least one header' }),
  /** Ignored as a label (labels are always T1..Tn); kept as the tenant's name. */
  label: z.string().optional(),
  id: z.string().min(1).optional(),
  secrets: z.array(z.string()).optional(),
  /**
   * Non-secret request parts that select the tenant, sent on each of its requests (probes send
   * another tenant's): `{ 'header:Host': 'acme.example.test' }` for a tenant by subdomain,
   * `{ 'path:orgId': 'org_42' }` for a tenant by path prefix (default: `id`).
   */
  selectors: z
    .record(z.string(), z.string().min(1))
    .refine((s) => Object.keys(s).every((k) => /^(header|path):.+$/.test(k)), {
      message: 'every selector key is header:NAME or path:NAME (e.g. header:Host, path:orgId)',
    })
    .optional(),
  /** The role of the user `headers` authenticate, e.g. `admin`. */
  role: z.string().min(1).optional(),
  /** More users of the same tenant (e.g. an invited member), each with its own headers. */
  users: z
    .array(
      z.object({
        role: z.string().min(1),
        headers: z
          .record(z.string().min(1), z.string().min(1))
          .refine((h) => Object.keys(h).length > 0, { message: 'must have at least one header' }),
        secrets: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type ProvisionResult = z.infer<typeof provisionResultSchema>;

async function loadFunction(path: string): Promise<ProvisionFunction> {
  try {
    await access(path);
  } catch {
    throw new ProvisioningError('config', `module:${path}: no such file`);
  }
  let mod: Record<string, unknown>;
  try {
    // tsImport loads .ts and .js as ES modules wherever they live, whatever the surrounding
    // package.json says (`import()` under a CommonJS package would refuse ESM syntax).
    const { tsImport } = await import('tsx/esm/api');
    mod = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    throw new ProvisioningError(
      'config',
      `module:${path}: cannot load the module: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }
  const nested = mod.default && typeof mod.default === 'object' ? (mod.default as Record<string, unknown>) : undefined;
  const fn = [mod.default, mod.provision, nested?.default, nested?.provision].find((f) => typeof f === 'function');
  if (!fn)
    throw new ProvisioningError(
      'config',
      `module:${path}: exports neither a default function nor a function named \`provision\``,
    );
  return fn as ProvisionFunction;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProvisioningError('target', `${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function provisionFromModule(
  path: string,
  options: {
    count: number;
    baseUrl?: string;
    runTag: string;
    timeoutMs?: number;
    maxResponseBytes?: number;
    env?: Record<string, string | undefined>;
  },
): Promise<TenantCredentials[]> {
  const fn = await loadFunction(path);
  const http = axios.create({
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    timeout: options.timeoutMs ?? 10_000,
    maxContentLength: options.maxResponseBytes ?? 8 << 20,
    validateStatus: () => true,
  });
  const tenants: TenantCredentials[] = [];
  for (let i = 1; i <= options.count; i++) {
    const label = tenantLabel(i);
    const ctx: ProvisionContext = {
      label,
      count: options.count,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      http,
      runTag: options.runTag,
      env: options.env ?? process.env,
    };
    let raw: unknown;
    try {
      raw = await withTimeout(
        Promise.resolve().then(() => fn(i, ctx)),
        options.timeoutMs ?? 30_000,
        `module:${path}: provision(${i})`,
      );
    } catch (err) {
      if (err instanceof ProvisioningError) throw err;
      throw new ProvisioningError(
        'target',
        `module:${path}: provision(${i}) threw: ${(err as Error)?.message ?? String(err)}`,
        { cause: err },
      );
    }
    const parsed = provisionResultSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length ? issue.path.join('.') : 'the result';
      throw new ProvisioningError(
        'config',
        `module:${path}: provision(${i}) returned a bad value: ${where}: ${issue.message} (expected { headers: { name: value } })`,
      );
    }
    const r = parsed.data;
    tenants.push(
      makeCredentials({
        label,
        id: r.id ?? label,
        headers: r.headers,
        secrets: r.secrets ?? [],
        ...(r.label !== undefined ? { name: r.label } : {}),
        ...(r.selectors ? { selectors: r.selectors } : {}),
        ...(r.role !== undefined ? { role: r.role } : {}),
        ...(r.users ? { users: r.users } : {}),
      }),
    );
  }
  return tenants;
}

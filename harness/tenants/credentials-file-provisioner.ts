/**
 * `file:PATH`: credentials that already exist, as JSON or YAML:
 *
 *   { "tenants": [ { "id": "acme", "headers": { "Authorization": "Bearer ${ACME_KEY}" } }, … ] }
 *
 * (a bare array works too). `${NAME}` in a header value is read from the environment, so the
 * file itself need not hold secrets.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { z } from 'zod';
import {
  assertCount,
  makeCredentials,
  MIN_TENANTS,
  ProvisioningError,
  tenantLabel,
  type TenantCredentials,
} from './tenant-credentials.ts';

const tenantEntrySchema = z
  .object({
    headers: z
      .record(z.string().min(1), z.string())
      .refine((h) => Object.keys(h).length > 0, { message: 'must have at least one header' }),
    id: z.string().min(1).optional(),
    name: z.string().optional(),
    secrets: z.array(z.string()).optional(),
  })
  .strict();

export const credentialsFileSchema = z.union([
  z.object({ tenants: z.array(tenantEntrySchema) }).strict(),
  z.array(tenantEntrySchema),
]);

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  return `${path || '(top level)'}: ${issue.message}`;
}

function interpolate(value: string, where: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === '')
      throw new ProvisioningError('config', `${where} uses \${${name}}, which is not set in the environment`);
    return v;
  });
}

export async function provisionFromFile(
  path: string,
  count: number | undefined,
  env: Record<string, string | undefined> = process.env,
): Promise<TenantCredentials[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ProvisioningError('config', `file:${path}: cannot read the credentials file (${reason})`, { cause: err });
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(path) ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ProvisioningError(
      'config',
      `file:${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'JSON or YAML'}: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }
  const parsed = credentialsFileSchema.safeParse(data);
  if (!parsed.success) {
    // Report the issue of the branch the user most likely meant.
    const branch = Array.isArray(data)
      ? z.array(tenantEntrySchema)
      : z.object({ tenants: z.array(tenantEntrySchema) }).strict();
    const detail = branch.safeParse(data);
    const issue = detail.success ? parsed.error.issues[0]! : detail.error.issues[0]!;
    throw new ProvisioningError(
      'config',
      `file:${path}: ${describeIssue(issue)} (expected { "tenants": [ { "headers": { … } } ] })`,
    );
  }
  const entries = Array.isArray(parsed.data) ? parsed.data : parsed.data.tenants;
  if (entries.length < MIN_TENANTS)
    throw new ProvisioningError(
      'config',
      `file:${path}: a run needs at least ${MIN_TENANTS} tenants, the file has ${entries.length}`,
    );
  if (count !== undefined && count > entries.length)
    throw new ProvisioningError('config', `file:${path}: ${count} tenants requested, the file has ${entries.length}`);
  const n = count ?? entries.length;
  assertCount(n, `file:${path}`);
  return entries.slice(0, n).map((entry, i) => {
    const label = tenantLabel(i + 1);
    const headers = Object.fromEntries(
      Object.entries(entry.headers).map(([k, v]) => [
        k,
        interpolate(v, `file:${path}: tenants[${i}].headers.${k}`, env),
      ]),
    );
    return makeCredentials({
      label,
      id: entry.id ?? label,
      headers,
      secrets: entry.secrets ?? [],
      ...(entry.name !== undefined ? { name: entry.name } : {}),
    });
  });
}

/**
 * Tenancy by path prefix (`/orgs/{orgId}/boards`, `/workspaces/{slug}/…`): the first path parameter
 * names the caller's own tenant, not a record the campaign creates. It is found where the parameter
 * follows a literal that names a tenant (org, organisation, tenant, workspace, account, team,
 * company) and no tenant-authenticated POST creates such a tenant (tenants come from a public
 * sign-up or an admin). Such a parameter is a tenant field `in: path`: every request of a tenant
 * fills it with its own tenant (its provisioning `path:NAME` selector, else its id), and the
 * `path-injection` probe fills it with another tenant's.
 */
import { isNoiseSegment, resourceNameFromSegment } from './naming.ts';
import type { RawOperation } from './operations.ts';
import type { SpecDocument } from './spec-document.ts';

const TENANT_RESOURCE = /^(?:tenant|org|organi[sz]ation|account|workspace|team|company)$/i;

/** The leading `literal/{param}` pair of a path (after `/api/v1` plumbing), if any. */
export function leadingPair(path: string): { literal: string; param: string; collection: string } | undefined {
  const raw = path.split('/').filter(Boolean);
  let i = 0;
  while (i < raw.length && !/\{/.test(raw[i]!) && isNoiseSegment(raw[i]!)) i++;
  const literal = raw[i];
  const param = /^\{([^}]+)\}$/.exec(raw[i + 1] ?? '')?.[1];
  if (!literal || !param || /\{/.test(literal)) return undefined;
  return { literal, param, collection: '/' + raw.slice(0, i + 1).join('/') };
}

/** Whether an operation is sent with tenant credentials as far as its security says (no `security: []`). */
function authenticated(doc: SpecDocument, op: RawOperation): boolean {
  const own = op.operation.security;
  const security = own !== undefined ? own : doc.root.security;
  if (!Array.isArray(security) || security.length === 0) return false;
  // `[{}]` makes authentication optional.
  return !security.some((s) => s && typeof s === 'object' && Object.keys(s).length === 0);
}

/** Names of the path parameters that select the caller's tenant by path prefix. */
export function tenantPathParams(doc: SpecDocument, raws: readonly RawOperation[]): Set<string> {
  const candidates = new Map<string, string>();
  for (const raw of raws) {
    const pair = leadingPair(raw.path);
    if (!pair || !TENANT_RESOURCE.test(resourceNameFromSegment(pair.literal))) continue;
    candidates.set(pair.collection, pair.param);
  }
  const params = new Set<string>();
  for (const [collection, param] of candidates) {
    const madeByTenants = raws.some((r) => r.method === 'post' && r.path === collection && authenticated(doc, r));
    if (!madeByTenants) params.add(param);
  }
  return params;
}

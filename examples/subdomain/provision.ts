/**
 * `module:` provisioning for the Bookly example API (examples/subdomain/server.ts): tenant `i` is a
 * new workspace `tp-<runTag>-<i>`, signed up with a unique email; its owner logs in on the
 * workspace's own address for a session cookie.
 *
 *   npx tenantproof run --target http://127.0.0.1:PORT --spec examples/subdomain/openapi.yaml \
 *     --provision module:examples/subdomain/provision.ts
 *
 * Bookly picks the workspace from the Host, so on loopback each tenant is two request parts: the
 * `Cookie` (a secret: it authenticates) and the `Host` (a selector: public, it only names the
 * workspace). The harness sends a tenant's selectors on every request of that tenant, and its
 * probes send one tenant's cookie with another tenant's Host.
 *
 * Environment (optional): BOOKLY_PASSWORD, the password for every owner (default: one per run);
 * BOOKLY_DOMAIN, the base domain (default `bookly.test`).
 */
import type { ProvisionContext, ProvisionResult } from '../../harness/tenants/index.ts';

/** What this adapter returns: a `ProvisionResult` and the Host that selects the workspace. */
export type BooklyProvisionResult = ProvisionResult & { selectors: Record<string, string> };

interface SignupResponse {
  workspace?: { id?: unknown };
}

const COOKIE = 'bookly_session';
const MAX_SLUG = 40;

/** What the server said, for an error message (never a credential: these are error bodies). */
function describe(status: number, data: unknown): string {
  const error = (data as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' ? `HTTP ${status}: ${error}` : `HTTP ${status}`;
}

/** `tp-<tag>-<i>`, lowercase letters, digits and hyphens, at most 40 characters. */
export function workspaceSlug(runTag: string, i: number): string {
  const tail = `-${i}`;
  const tag = runTag
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, MAX_SLUG - 3 - tail.length);
  return `tp-${tag}${tail}`;
}

/** The session id out of a `Set-Cookie` header (axios gives an array). */
function sessionFrom(setCookie: unknown): string | undefined {
  const values = Array.isArray(setCookie) ? setCookie : typeof setCookie === 'string' ? [setCookie] : [];
  for (const v of values) {
    const m = new RegExp(`^${COOKIE}=([^;]+)`).exec(String(v));
    if (m) return m[1];
  }
  return undefined;
}

export default async function provision(i: number, ctx: ProvisionContext): Promise<BooklyProvisionResult> {
  const slug = workspaceSlug(ctx.runTag, i);
  const host = `${slug}.${ctx.env.BOOKLY_DOMAIN ?? 'bookly.test'}`;
  const email = `tenantproof+${slug}@bookly.example`;
  const password = ctx.env.BOOKLY_PASSWORD ?? `Tp-${slug}-pw!`;

  // Sign-up works on any address; the target's own (loopback) address is the apex.
  const signup = await ctx.http.post<SignupResponse>('/signup', {
    workspaceName: `tenantproof ${ctx.label}`,
    slug,
    email,
    password,
  });
  // 409: the workspace exists already (the same tag run twice); logging in is enough.
  if (signup.status !== 201 && signup.status !== 409)
    throw new Error(`sign-up of workspace ${slug} failed: ${describe(signup.status, signup.data)}`);

  // Login must reach the workspace's own address: same server, the workspace's Host.
  const login = await ctx.http.post('/login', { email, password }, { headers: { Host: host } });
  if (login.status !== 200) throw new Error(`login to workspace ${slug} failed: ${describe(login.status, login.data)}`);
  const session = sessionFrom(login.headers['set-cookie']);
  if (!session) throw new Error(`the login response sets no ${COOKIE} cookie`);

  const id = signup.status === 201 ? signup.data.workspace?.id : undefined;
  return {
    headers: { Cookie: `${COOKIE}=${session}` },
    selectors: { 'header:Host': host },
    id: typeof id === 'string' ? id : slug,
    label: email,
    secrets: [password, session],
  };
}

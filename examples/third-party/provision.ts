/**
 * `module:` provisioning for the Tracklet example API (examples/third-party/server.ts): tenant `i`
 * is a new organisation, signed up with a unique email, whose first user logs in for a JWT.
 *
 *   npx tenantproof run --target http://127.0.0.1:PORT --spec examples/third-party/openapi.yaml \
 *     --provision module:examples/third-party/provision.ts
 *
 * Environment (optional): TRACKLET_PASSWORD, the password for every user (default: one per run).
 */
import type { ProvisionContext, ProvisionResult } from '../../harness/tenants/index.ts';

interface SignupResponse {
  org?: { id?: unknown };
}
interface LoginResponse {
  token?: unknown;
}

/** What the server said, for an error message (never a credential: these are error bodies). */
function describe(status: number, data: unknown): string {
  const err = (data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return err ? `HTTP ${status} ${String(err.code)}: ${String(err.message)}` : `HTTP ${status}`;
}

export default async function provision(i: number, ctx: ProvisionContext): Promise<ProvisionResult> {
  // runTag is unique per run, so a second campaign against the same server signs up new orgs.
  const tag = ctx.runTag.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const email = `tenantproof+${tag}-org${i}@tracklet.example`;
  const password = ctx.env.TRACKLET_PASSWORD ?? `Tp-${tag}-pw${i}!`;

  const signup = await ctx.http.post<SignupResponse>('/signup', {
    orgName: `tenantproof ${ctx.label}`,
    email,
    password,
  });
  // 409: this user exists already (the same tag run twice); logging in is enough.
  if (signup.status !== 201 && signup.status !== 409)
    throw new Error(`sign-up of org ${i} failed: ${describe(signup.status, signup.data)}`);

  const login = await ctx.http.post<LoginResponse>('/login', { email, password });
  if (login.status !== 200) throw new Error(`login of org ${i} failed: ${describe(login.status, login.data)}`);
  const token = login.data.token;
  if (typeof token !== 'string' || token.split('.').length !== 3)
    throw new Error('the login response has no JWT in `token`');

  // The organisation id from the (unverified) token claims: a stable id for the tenant.
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { org?: unknown };
  const orgId = claims.org ?? (signup.status === 201 ? signup.data.org?.id : undefined);
  return {
    headers: { Authorization: `Bearer ${token}` },
    ...(orgId !== undefined ? { id: String(orgId) } : {}),
    label: email,
    secrets: [password, token],
  };
}

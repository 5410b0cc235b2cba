/**
 * `module:` provisioning for the Teamboard example API (examples/path-prefix/server.ts): tenant `i`
 * is a new organisation, signed up with a unique email (its admin), plus one member the admin
 * invites and who accepts the invite.
 *
 *   npx tenantproof run --target http://127.0.0.1:PORT --spec examples/path-prefix/openapi.yaml \
 *     --provision module:examples/path-prefix/provision.ts
 *
 * Teamboard names the organisation in the path (`/orgs/{orgId}/…`), so each tenant is a bearer
 * token (a secret) and an `orgId` path parameter (a selector: public, it only names the
 * organisation). The harness fills `{orgId}` with the tenant's own id on every request of that
 * tenant, and its probes send one tenant's token with another tenant's `orgId`. The member is a
 * second user of the same tenant: what it may not do (delete a board) is a role rule, not isolation.
 *
 * Environment (optional): TEAMBOARD_PASSWORD, the password for every user (default: one per run).
 */
import type { ProvisionContext, ProvisionResult } from '../../harness/tenants/index.ts';

/** Another user of the same tenant. */
export interface TeamboardUser {
  role: string;
  headers: Record<string, string>;
  label?: string;
  secrets?: string[];
}

/** What this adapter returns: a `ProvisionResult`, the `orgId` selector, and the member. */
export type TeamboardProvisionResult = ProvisionResult & {
  selectors: Record<string, string>;
  role: string;
  users: TeamboardUser[];
};

interface TokenResponse {
  token?: unknown;
  org?: { id?: unknown };
}
interface InviteResponse {
  inviteToken?: unknown;
}

/** What the server said, for an error message (never a credential: these are error bodies). */
function describe(status: number, data: unknown): string {
  const message = (data as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? `HTTP ${status}: ${message}` : `HTTP ${status}`;
}

function jwt(token: unknown, what: string): string {
  if (typeof token !== 'string' || token.split('.').length !== 3)
    throw new Error(`${what} returned no JWT in \`token\``);
  return token;
}

/** The `org` claim of a (not verified) token: the tenant's id. */
function orgClaim(token: string): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { org?: unknown };
  if (typeof claims.org !== 'string') throw new Error('the token has no `org` claim');
  return claims.org;
}

/** Signs up (or, if the email exists from an earlier run of this tag, logs in) the admin. */
async function admin(ctx: ProvisionContext, email: string, password: string): Promise<string> {
  const signup = await ctx.http.post<TokenResponse>('/signup', {
    orgName: `tenantproof ${ctx.label}`,
    email,
    password,
  });
  if (signup.status === 201) return jwt(signup.data.token, 'sign-up');
  if (signup.status !== 409) throw new Error(`sign-up of ${email} failed: ${describe(signup.status, signup.data)}`);
  const login = await ctx.http.post<TokenResponse>('/login', { email, password });
  if (login.status !== 200) throw new Error(`login of ${email} failed: ${describe(login.status, login.data)}`);
  return jwt(login.data.token, 'login');
}

/** Invites `email` as a member and accepts the invite (or logs in, if it was accepted before). */
async function member(ctx: ProvisionContext, orgId: string, adminToken: string, email: string, password: string) {
  const invite = await ctx.http.post<InviteResponse>(
    `/orgs/${encodeURIComponent(orgId)}/invites`,
    { email, role: 'member' },
    { headers: { Authorization: `Bearer ${adminToken}` } },
  );
  if (invite.status === 409) {
    const login = await ctx.http.post<TokenResponse>('/login', { email, password });
    if (login.status !== 200) throw new Error(`login of ${email} failed: ${describe(login.status, login.data)}`);
    return jwt(login.data.token, 'login');
  }
  if (invite.status !== 201 || typeof invite.data.inviteToken !== 'string')
    throw new Error(`inviting ${email} failed: ${describe(invite.status, invite.data)}`);
  const inviteToken = invite.data.inviteToken;
  const accept = await ctx.http.post<TokenResponse>('/invites/accept', { inviteToken, password });
  if (accept.status !== 201)
    throw new Error(`accepting the invite of ${email} failed: ${describe(accept.status, accept.data)}`);
  return jwt(accept.data.token, 'accepting the invite');
}

export default async function provision(i: number, ctx: ProvisionContext): Promise<TeamboardProvisionResult> {
  // runTag is unique per run, so a second campaign against the same server signs up new orgs.
  const tag = ctx.runTag.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const email = `tenantproof+${tag}-org${i}@teamboard.example`;
  const memberEmail = `tenantproof+${tag}-org${i}-member@teamboard.example`;
  const password = ctx.env.TEAMBOARD_PASSWORD ?? `Tp-${tag}-pw${i}!`;

  const adminToken = await admin(ctx, email, password);
  const orgId = orgClaim(adminToken);
  const memberToken = await member(ctx, orgId, adminToken, memberEmail, password);
  return {
    headers: { Authorization: `Bearer ${adminToken}` },
    selectors: { 'path:orgId': orgId },
    id: orgId,
    label: email,
    secrets: [password, adminToken],
    role: 'admin',
    users: [
      {
        role: 'member',
        headers: { Authorization: `Bearer ${memberToken}` },
        label: memberEmail,
        secrets: [password, memberToken],
      },
    ],
  };
}

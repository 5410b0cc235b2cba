/**
 * `module:` provisioning for the Deskly example API (examples/framework-style/server.ts): tenant `i`
 * is a new organisation, signed up with a unique email; the sign-up answer carries its JWT.
 *
 *   npx tenantproof run --target http://127.0.0.1:PORT --spec examples/framework-style/openapi.json \
 *     --provision module:examples/framework-style/provision.ts
 *
 * Environment (optional): DESKLY_PASSWORD, the password for every user (default: one per run).
 */
import { createHash } from 'node:crypto';
import type { ProvisionContext, ProvisionResult } from '../../harness/tenants/index.ts';

interface SignupResponse {
  accessToken?: unknown;
  organisationId?: unknown;
}
interface LoginResponse {
  accessToken?: unknown;
}

/** What the server said, for an error message (never a credential: these are Nest error bodies). */
function describe(status: number, data: unknown): string {
  const message = (data as { message?: unknown } | undefined)?.message;
  if (Array.isArray(message)) return `HTTP ${status}: ${message.map(String).join('; ')}`;
  return typeof message === 'string' ? `HTTP ${status}: ${message}` : `HTTP ${status}`;
}

function isJwt(token: unknown): token is string {
  return typeof token === 'string' && token.split('.').length === 3;
}

export default async function provision(i: number, ctx: ProvisionContext): Promise<ProvisionResult> {
  // runTag is unique per run, so a second campaign against the same server signs up new organisations.
  // The email's local part must stay within 64 characters (class-validator's IsEmail).
  let tag = ctx.runTag.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (tag.length > 40) tag = createHash('sha256').update(ctx.runTag).digest('hex').slice(0, 24);
  const email = `tenantproof+${tag}-org${i}@deskly.example`;
  const password = ctx.env.DESKLY_PASSWORD ?? `Tp-${tag}-pw${i}!`;

  const signup = await ctx.http.post<SignupResponse>('/auth/signup', {
    organisationName: `tenantproof ${ctx.label}`,
    email,
    password,
  });
  let token: unknown;
  let organisationId: unknown;
  if (signup.status === 201) {
    token = signup.data.accessToken;
    organisationId = signup.data.organisationId;
  } else if (signup.status === 500) {
    // A taken email is a 500 here (an uncaught UNIQUE violation): the same tag signed up before.
    // Logging in is enough; Nest answers a POST with 201, login included.
    const login = await ctx.http.post<LoginResponse>('/auth/login', { email, password });
    if (login.status !== 201 && login.status !== 200) {
      throw new Error(
        `sign-up of org ${i} failed (${describe(signup.status, signup.data)}), and so did login: ${describe(login.status, login.data)}`,
      );
    }
    token = login.data.accessToken;
  } else {
    throw new Error(`sign-up of org ${i} failed: ${describe(signup.status, signup.data)}`);
  }
  if (!isJwt(token)) throw new Error('the sign-up or login response has no JWT in `accessToken`');

  // The organisation id from the (unverified) token claims when the sign-up did not give it.
  if (typeof organisationId !== 'string') {
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
      organisationId?: unknown;
    };
    organisationId = claims.organisationId;
  }
  return {
    headers: { Authorization: `Bearer ${token}` },
    ...(typeof organisationId === 'string' ? { id: organisationId } : {}),
    label: email,
    secrets: [password, token],
  };
}

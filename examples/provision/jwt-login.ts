/**
 * A worked `module:` provisioning example: each tenant is a user who signs up (once) and logs in
 * for a JWT, RealWorld/Conduit style. Use it as
 *
 *   npx tenantproof run --target http://localhost:8080/api --spec conduit.yml \
 *     --provision module:examples/provision/jwt-login.ts --tenants 3
 *
 * Adapt the paths and bodies to your API. Environment (all optional):
 *   TP_REGISTER_PATH  default /users         (set to "" to skip sign-up)
 *   TP_LOGIN_PATH     default /users/login
 *   TP_PASSWORD       default a per-run password
 *   TP_AUTH_SCHEME    default Token          (Conduit); "Bearer" for most APIs
 */
import type { ProvisionContext, ProvisionResult } from '../../harness/tenants/index.ts';

interface UserEnvelope {
  user?: { token?: unknown; username?: unknown };
}

/** Reads the (unverified) claims of a JWT: we only want a stable id for the tenant. */
function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('the login response did not contain a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export default async function provision(i: number, ctx: ProvisionContext): Promise<ProvisionResult> {
  const registerPath = ctx.env.TP_REGISTER_PATH ?? '/users';
  const loginPath = ctx.env.TP_LOGIN_PATH ?? '/users/login';
  const scheme = ctx.env.TP_AUTH_SCHEME ?? 'Token';
  const username = `tenantproof-${ctx.runTag}-t${i}`;
  const email = `${username}@example.com`;
  const password = ctx.env.TP_PASSWORD ?? `Tp-${ctx.runTag}-pw-${i}!`;

  if (registerPath) {
    const signup = await ctx.http.post(registerPath, { user: { username, email, password } });
    // 409/422: the user already exists (a re-run with the same tag); logging in is enough.
    if (signup.status >= 400 && signup.status !== 409 && signup.status !== 422) {
      throw new Error(`sign-up of ${username} failed with HTTP ${signup.status}`);
    }
  }
  const login = await ctx.http.post<UserEnvelope>(loginPath, { user: { email, password } });
  if (login.status !== 200) throw new Error(`login of ${username} failed with HTTP ${login.status}`);
  const token = login.data.user?.token;
  if (typeof token !== 'string') throw new Error('the login response has no user.token');
  const claims = jwtClaims(token);
  const id = String(claims.sub ?? claims.id ?? claims.username ?? username);
  return { headers: { Authorization: `${scheme} ${token}` }, id, label: username, secrets: [token, password] };
}

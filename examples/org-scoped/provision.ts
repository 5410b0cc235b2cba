/**
 * `module:` provisioning for the Orgcast example API (examples/org-scoped/server.ts): tenant `i` is a
 * new organisation, registered with a unique email; the register response carries its JWT.
 *
 *   npx tenantproof run --target http://127.0.0.1:PORT --spec examples/org-scoped/openapi.yaml \
 *     --provision module:examples/org-scoped/provision.ts
 *
 * Orgcast rate-limits every client IP in one bucket, auth routes included, so a campaign may have
 * used up the minute's budget when tenants are provisioned: on a 429 this waits `Retry-After`
 * seconds and tries again (a few times), rather than failing the run.
 *
 * Environment (optional): ORGCAST_PASSWORD, the password for every user (default: one per run).
 */
import type { ProvisionContext, ProvisionResult } from '../../harness/tenants/index.ts';

/** Retries after a 429, each after the server's `Retry-After`. */
const MAX_THROTTLE_RETRIES = 3;
/** The longest wait honoured (one rate-limit window and a second). */
const MAX_WAIT_SECONDS = 61;

interface RegisterResponse {
  token?: unknown;
  organisation?: { id?: unknown };
}
interface LoginResponse {
  token?: unknown;
}
interface Reply<T> {
  status: number;
  data: T;
}

/** What the server said, for an error message (never a credential: these are error bodies). */
function describe(status: number, data: unknown): string {
  const message = (data as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? `HTTP ${status}: ${message}` : `HTTP ${status}`;
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), 1 when absent or unreadable. */
function retryAfterSeconds(value: unknown): number {
  const text = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
  if (text === undefined) return 1;
  if (/^\s*\d+\s*$/.test(text)) return Math.max(1, Number(text));
  const at = Date.parse(text);
  return Number.isNaN(at) ? 1 : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}

/** POST, waiting out the shared rate limit: a 429 is retried after its `Retry-After`. */
async function post<T>(ctx: ProvisionContext, path: string, body: unknown): Promise<Reply<T>> {
  for (let attempt = 0; ; attempt++) {
    const res = await ctx.http.post<T>(path, body);
    if (res.status !== 429 || attempt >= MAX_THROTTLE_RETRIES) return { status: res.status, data: res.data };
    const wait = retryAfterSeconds(res.headers['retry-after']);
    if (wait > MAX_WAIT_SECONDS)
      throw new Error(`${path} is rate limited for ${wait} s, longer than the ${MAX_WAIT_SECONDS} s this waits`);
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

function isJwt(token: unknown): token is string {
  return typeof token === 'string' && token.split('.').length === 3;
}

export default async function provision(i: number, ctx: ProvisionContext): Promise<ProvisionResult> {
  // runTag is unique per run, so a second campaign against the same server registers new orgs.
  const tag = ctx.runTag.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const email = `tenantproof+${tag}-org${i}@orgcast.example`;
  const password = ctx.env.ORGCAST_PASSWORD ?? `Tp-${tag}-pw${i}!`;

  const reg = await post<RegisterResponse>(ctx, '/v1/auth/register', {
    organisationName: `tenantproof ${ctx.label}`,
    email,
    password,
  });
  let token: unknown;
  if (reg.status === 201) {
    token = reg.data.token;
  } else if (reg.status === 409) {
    // This user exists already (the same tag run twice): logging in is enough.
    const login = await post<LoginResponse>(ctx, '/v1/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`login of org ${i} failed: ${describe(login.status, login.data)}`);
    token = login.data.token;
  } else {
    throw new Error(`registration of org ${i} failed: ${describe(reg.status, reg.data)}`);
  }
  if (!isJwt(token)) throw new Error('the auth response has no JWT in `token`');

  // The organisation id from the (unverified) token claims: a stable id for the tenant.
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { org_id?: unknown };
  const orgId = typeof claims.org_id === 'string' ? claims.org_id : reg.data.organisation?.id;
  return {
    headers: { Authorization: `Bearer ${token}` },
    ...(typeof orgId === 'string' ? { id: orgId } : {}),
    label: email,
    secrets: [password, token],
  };
}

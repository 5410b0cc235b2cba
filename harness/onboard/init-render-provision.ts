/**
 * The text of the `provision-tenants.ts` that `tenantproof init` writes: a self-contained,
 * commented `module:` provisioner for the detected flow. It imports only types from `tenantproof`
 * (and `node:crypto`), and it reads the real responses for the token and the tenant id (a spec may
 * document no response at all), so it works where the spec is thin.
 */
import { describePlan, type PlannedCall, type TenancyPlan } from './init-detect-tenancy.ts';
import { literal, renderBody } from './init-body-plan.ts';

/** Where in the module each step starts, so error messages can say "line N". */
const LINE_MARK = /__LINE_([a-z]+)__/g;

const HELPERS = String.raw`
// ---------------------------------------------------------------------------------------------
// Helpers: reading what the server answered. They look at the real responses, not at the spec.

interface Reply {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

/** A credential found in a response: a token in the JSON body, or the cookies of Set-Cookie. */
interface Found {
  kind: 'token' | 'cookie';
  value: string;
}

/** Retries after a 429, each after the server's Retry-After. */
const MAX_THROTTLE_RETRIES = 3;
/** The longest Retry-After honoured, in seconds. */
const MAX_WAIT_SECONDS = 61;

/** Sends one request; a 429 is waited out (Retry-After, bounded) and retried. */
async function send(
  ctx: ProvisionContext,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    const res = await ctx.http.request({ method, url: path, data: body, headers });
    const reply: Reply = { status: res.status, data: res.data, headers: res.headers as Record<string, unknown> };
    if (res.status !== 429 || attempt >= MAX_THROTTLE_RETRIES) return reply;
    const wait = retryAfterSeconds(reply.headers['retry-after']);
    if (wait > MAX_WAIT_SECONDS)
      throw new Error(method + ' ' + path + ' is rate limited for ' + wait + ' s, longer than the ' + MAX_WAIT_SECONDS + ' s this waits');
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

/** Retry-After in seconds (delta-seconds or an HTTP date); 1 when absent or unreadable. */
function retryAfterSeconds(value: unknown): number {
  const text = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
  if (text === undefined) return 1;
  if (/^\s*\d+\s*$/.test(text)) return Math.max(1, Number(text));
  const at = Date.parse(text);
  return Number.isNaN(at) ? 1 : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}

const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** What the server said, for an error message (a failed answer's body, cut short). */
function describe(res: Reply): string {
  const body = typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? '');
  return 'HTTP ' + res.status + (body ? ' ' + body.slice(0, 300) : '');
}

/** The first string or number under one of these field names, anywhere in the JSON. */
function findField(data: unknown, names: RegExp, depth = 0): string | undefined {
  if (!data || typeof data !== 'object' || depth > 5) return undefined;
  const entries = Array.isArray(data) ? data.map((v, i) => [String(i), v] as const) : Object.entries(data);
  for (const [key, value] of entries)
    if (names.test(key) && (typeof value === 'string' || typeof value === 'number') && String(value).length > 0)
      return String(value);
  for (const [, value] of entries) {
    const found = findField(value, names, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

const TOKEN_FIELDS = /^(token|accessToken|access_token|jwt|idToken|id_token|apiKey|api_key|key|sessionToken|authToken)$/i;
const TENANT_OBJECTS = /^(org|organi[sz]ation|tenant|workspace|account|team|company)$/i;
const TENANT_ID_FIELDS = /^(org|organi[sz]ation|tenant|workspace|account|team|company)[-_]?id$/i;
const TENANT_CLAIMS = /^(org|org_id|orgId|organi[sz]ation|organi[sz]ation_?id|organi[sz]ationId|tenant|tenant_id|tenantId|tid|workspace|workspace_id|workspaceId|account_id|accountId)$/;

/** The token in a response body (by field name, anywhere in the JSON). */
function findToken(data: unknown): string | undefined {
  return findField(data, TOKEN_FIELDS);
}

/** The cookies a response sets, as a Cookie header value (name=value; name2=value2). */
function cookiesOf(res: Reply): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
  const pairs = list.map((c) => c.split(';')[0]!.trim()).filter((c) => c.includes('='));
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

/** The tenant's id in a response: org.id, organisation.id, tenant.id…, or orgId, tenant_id… fields. */
function findTenantId(data: unknown, depth = 0): string | undefined {
  if (!data || typeof data !== 'object' || Array.isArray(data) || depth > 4) return undefined;
  for (const [key, value] of Object.entries(data)) {
    if (TENANT_OBJECTS.test(key) && value && typeof value === 'object') {
      const id = (value as Record<string, unknown>).id;
      if (typeof id === 'string' || typeof id === 'number') return String(id);
    }
    if (TENANT_ID_FIELDS.test(key) && (typeof value === 'string' || typeof value === 'number')) return String(value);
  }
  for (const value of Object.values(data)) {
    const found = findTenantId(value, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A tenant claim of a JWT (decoded, not verified): org, org_id, organisationId, tenant, tenant_id… */
function tenantIdFromJwt(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const name = Object.keys(claims).find((k) => TENANT_CLAIMS.test(k));
    const value = name === undefined ? undefined : claims[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  } catch {
    return undefined;
  }
}

/** A path with its {parameters} filled in. */
function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error('no value for the path parameter {' + name + '} of ' + path);
    return encodeURIComponent(value);
  });
}

/** A short tag for names and emails, unique per run (ctx.runTag, shortened when long). */
function runTag(ctx: ProvisionContext): string {
  const tag = ctx.runTag.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return tag.length <= 20 ? tag : createHash('sha256').update(ctx.runTag).digest('hex').slice(0, 12);
}
`;

interface Names {
  /** The variable holding the headers every tenant request needs besides the credential (Host). */
  selectHeaders: string;
}

function credentialFinder(plan: TenancyPlan): string {
  const c = plan.credential;
  const prefersCookie = c.kind === 'cookie';
  const headersLine =
    c.kind === 'header'
      ? `found.kind === 'cookie' ? { Cookie: found.value } : { ${q(c.name)}: found.value }`
      : c.kind === 'cookie'
        ? `{ Cookie: found.kind === 'cookie' ? found.value : ${q(`${c.name ?? 'session'}=`)} + found.value }`
        : "found.kind === 'cookie' ? { Cookie: found.value } : { Authorization: 'Bearer ' + found.value }";
  return `
/** The credential a response carries: ${prefersCookie ? 'its cookies first, else a token in the body' : 'a token in the body first, else its cookies'}. */
function findCredential(res: Reply): Found | undefined {
  const token = findToken(res.data);
  const cookie = cookiesOf(res);
  ${
    prefersCookie
      ? "if (cookie) return { kind: 'cookie', value: cookie };\n  if (token) return { kind: 'token', value: token };"
      : "if (token) return { kind: 'token', value: token };\n  if (cookie) return { kind: 'cookie', value: cookie };"
  }
  return undefined;
}

/** The headers that authenticate a request (${plan.credential.evidence}). */
function credentialHeaders(found: Found): Record<string, string> {
  return ${headersLine};
}
`;
}

function pathValues(path: string, extra: Record<string, string> = {}): string {
  const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  if (params.length === 0) return q(path);
  const entries = params.map((p) => {
    // The tenant's path selector, or any other parameter of a tenant-scoped path: the tenant id.
    const value = extra[p] ?? 'tenantId';
    return `${q(p)}: ${value}`;
  });
  return `fillPath(${q(path)}, { ${entries.join(', ')} })`;
}

/** A TypeScript string literal in single quotes. */
export function q(text: string): string {
  return literal(text);
}

/** The body as a constant the user can edit, then the request; the mark points at the body. */
function callLine(variable: string, c: PlannedCall, pathExpr: string, headers: string, indent = '  '): string {
  const body = renderBody(c.body, indent);
  const headersArg = headers === '{}' ? '' : `, ${headers}`;
  return [
    `${indent}// __MARK_${variable}__`,
    `${indent}const ${variable}Body = ${body};`,
    `${indent}const ${variable} = await send(ctx, ${q(c.method)}, ${pathExpr}, ${variable}Body${headersArg});`,
  ].join('\n');
}

function signupSteps(plan: TenancyPlan, signup: PlannedCall, login: PlannedCall | undefined, names: Names): string[] {
  const out: string[] = [];
  out.push(
    `  // Step 1: sign up, which creates the tenant and its first user.`,
    `  // ${signup.evidence}.`,
    `  // The body is every required property of the request schema; edit it if the server wants more.`,
    callLine('signup', signup, q(signup.path), '{}'),
    `  if (!isSuccess(signup.status))`,
    `    throw new Error('${signup.method} ${signup.path} answered ' + describe(signup) + ': fix the sign-up body in provision-tenants.ts line __LINE_signup__ (the fields and values the server accepts)');`,
    `  let tenantId = findTenantId(signup.data);`,
  );
  if (plan.selection.kind === 'subdomain') {
    const [before, after] = plan.selection.hostTemplate.split(`{${plan.selection.variable}}`);
    out.push(
      `  // The tenant lives on its own host (${plan.selection.hostTemplate}): the slug the server answered, else the one sent.`,
      `  const subdomain = findField(signup.data, /^(slug|subdomain|${plan.selection.variable})$/i) ?? slug;`,
      `  const host = ${[before ? q(before) : '', 'subdomain', after ? q(after) : ''].filter(Boolean).join(' + ')};`,
      `  const ${names.selectHeaders}: Record<string, string> = { Host: host };`,
    );
  } else out.push(`  const ${names.selectHeaders}: Record<string, string> = {};`);
  out.push(`  let found = findCredential(signup);`);
  if (login) {
    out.push(
      ``,
      `  // Step 2: log in, when the sign-up answer carries no token or cookie.`,
      `  // ${login.evidence}.`,
      `  if (!found) {`,
      callLine('login', login, q(login.path), names.selectHeaders, '    '),
      `    if (!isSuccess(login.status))`,
      `      throw new Error('${login.method} ${login.path} answered ' + describe(login) + ': check the login body (field names, the email and password of step 1) in provision-tenants.ts line __LINE_login__');`,
      `    found = findCredential(login);`,
      `    tenantId ??= findTenantId(login.data);`,
      `  }`,
    );
  }
  out.push(
    `  if (!found)`,
    `    throw new Error('neither ${login ? 'the sign-up nor the login' : 'the sign-up'} answer carries a token (token, accessToken, jwt, apiKey, …) or a Set-Cookie: ${login ? '' : 'add a login step, or '}read the token from the right field in provision-tenants.ts');`,
  );
  return out;
}

function adminSteps(
  plan: TenancyPlan,
  b: Extract<TenancyPlan['bootstrap'], { kind: 'admin' }>,
  names: Names,
): string[] {
  const header = b.adminHeader.prefix
    ? `{ ${q(b.adminHeader.name)}: ${q(b.adminHeader.prefix)} + adminToken }`
    : `{ ${q(b.adminHeader.name)}: adminToken }`;
  return [
    `  // Step 1: an operator creates the tenant with the admin credential, from the environment only.`,
    `  // ${b.create.evidence}.`,
    `  const adminToken = ctx.env.${b.envVar};`,
    `  if (!adminToken)`,
    `    throw new Error('set ${b.envVar} to the admin credential of ${b.create.method} ${b.create.path} (sent as ${b.adminHeader.name})');`,
    callLine('created', b.create, q(b.create.path), header),
    `  if (created.status === 401 || created.status === 403)`,
    `    throw new Error('${b.create.method} ${b.create.path} refused the admin credential in ${b.envVar} (' + describe(created) + ')');`,
    `  if (!isSuccess(created.status))`,
    `    throw new Error('${b.create.method} ${b.create.path} answered ' + describe(created) + ': fix the body in provision-tenants.ts line __LINE_created__');`,
    `  let tenantId = findTenantId(created.data);`,
    `  const ${names.selectHeaders}: Record<string, string> = {};`,
    `  // The new tenant's API key or token is in the answer.`,
    `  const found = findCredential(created);`,
    `  if (!found)`,
    `    throw new Error('the answer of ${b.create.method} ${b.create.path} carries no API key or token (apiKey, token, key, …): read it from the right field in provision-tenants.ts');`,
  ];
}

function inviteSteps(plan: TenancyPlan, login: PlannedCall | undefined, names: Names): string[] {
  const inv = plan.invite!;
  const acceptPath = pathValues(
    inv.accept.path,
    Object.fromEntries(
      [...inv.accept.path.matchAll(/\{([^}]*(?:token|code)[^}]*)\}/gi)].map((m) => [m[1]!, 'inviteToken']),
    ),
  );
  const out = [
    ``,
    `  // Step 3: a second user of the same tenant (role ${inv.role}), so findings can tell roles from tenants.`,
    `  // ${inv.invite.evidence}; ${inv.accept.evidence}.`,
    `  const memberEmail = 'tenantproof+' + tag + '-t' + i + '-member@example.test';`,
    callLine('invite', inv.invite, pathValues(inv.invite.path), `{ ...${names.selectHeaders}, ...headers }`),
    `  if (!isSuccess(invite.status))`,
    `    throw new Error('${inv.invite.method} ${inv.invite.path} answered ' + describe(invite) + ': fix the invite body in provision-tenants.ts line __LINE_invite__, or delete step 3');`,
    `  const inviteToken = findField(invite.data, /^(token|inviteToken|invitationToken|code|inviteCode)$/i);`,
    `  if (!inviteToken)`,
    `    throw new Error('the invite answer carries no token (token, inviteToken, code): read it from the right field in provision-tenants.ts, or delete step 3');`,
    callLine('accepted', inv.accept, acceptPath, names.selectHeaders),
    `  if (!isSuccess(accepted.status))`,
    `    throw new Error('${inv.accept.method} ${inv.accept.path} answered ' + describe(accepted) + ': fix the accept body in provision-tenants.ts line __LINE_accepted__');`,
    `  let memberFound = findCredential(accepted);`,
  ];
  if (login)
    out.push(
      `  if (!memberFound) {`,
      `    const memberLogin = await send(ctx, '${login.method}', ${q(login.path)}, ${renderBody(
        login.body.map((f) => (f.value.kind === 'email' ? { ...f, value: { kind: 'memberEmail' as const } } : f)),
        '    ',
      )}, ${names.selectHeaders});`,
      `    if (!isSuccess(memberLogin.status)) throw new Error('the invited member could not log in: ' + describe(memberLogin));`,
      `    memberFound = findCredential(memberLogin);`,
      `  }`,
    );
  out.push(
    `  if (!memberFound) throw new Error('the accept answer carries no token or cookie for the member');`,
    `  users.push({ role: ${q(inv.role)}, headers: credentialHeaders(memberFound), secrets: [memberFound.value] });`,
  );
  return out;
}

function selectorsLine(plan: TenancyPlan): string[] {
  switch (plan.selection.kind) {
    case 'subdomain':
      return [
        `  // Requests select the tenant by host: every request of this tenant carries this Host header.`,
        `  const selectors = { 'header:Host': host };`,
      ];
    case 'path':
      return [
        `  // Requests select the tenant by path: {${plan.selection.param}} is this tenant's id.`,
        `  const selectors = { ${q(`path:${plan.selection.param}`)}: tenantId };`,
      ];
    case 'header':
      return [
        `  // Requests select the tenant by the ${plan.selection.name} header: this tenant's id.`,
        `  const selectors = { ${q(`header:${plan.selection.name}`)}: tenantId };`,
      ];
    case 'credential':
      return [`  // The credential alone selects the tenant: no selectors.`];
  }
}

function header(plan: TenancyPlan): string {
  const b = plan.bootstrap;
  const what =
    b.kind === 'signup'
      ? 'Tenant i (1-based) is a new tenant signed up with a unique email; its first user authenticates every request.'
      : b.kind === 'admin'
        ? 'Tenant i (1-based) is created by an operator call with the admin credential; its API key or token authenticates every request.'
        : 'TODO: tenantproof init found no way to create a tenant in the spec. Write it below.';
  const env = [
    ...(b.kind === 'admin'
      ? []
      : [
          '  TENANTPROOF_PASSWORD     (optional) the password of every user this creates; default: a random one per run',
        ]),
    ...(b.kind === 'admin'
      ? [
          `  ${b.envVar.padEnd(24)} (required) the admin credential, sent as ${b.adminHeader.name}; never written to disk`,
        ]
      : []),
  ];
  return `/**
 * Provisioning for ${plan.title || 'the API'}, written by \`tenantproof init\` (\`module:\` provisioning;
 * the contract: ProvisionContext and ProvisionResult in tenantproof). It is yours: edit it freely.
 * ${what}
 * ctx.runTag is unique per run, so every run creates new tenants and users.
 *
 * What init read in the spec, and chose:
${describePlan(plan)
  .map((l) => ` *   ${l}`)
  .join('\n')}
 *
 * Environment:
${env.map((l) => ` * ${l}`).join('\n')}
 */`;
}

export function renderProvisionModule(plan: TenancyPlan): string {
  const names: Names = { selectHeaders: 'tenantHeaders' };
  const b = plan.bootstrap;
  const login = b.kind === 'signup' ? b.login : undefined;
  const body: string[] = [];
  if (b.kind === 'none') {
    body.push(
      `  // __MARK_todo__`,
      `  // TODO (step 1): create tenant i and its first user here, e.g. a sign-up or an admin call:`,
      `  //   const res = await send(ctx, 'POST', '/signup', { email, password, name: \`tenantproof \${ctx.label}\` });`,
      `  //   const found = findCredential(res);`,
      `  // ${b.evidence}.`,
      `  throw new Error('provision-tenants.ts does not know how to create a tenant yet: write step 1 at line __LINE_todo__ (see the TODO)');`,
      `}`,
    );
  } else {
    body.push(...(b.kind === 'signup' ? signupSteps(plan, b.signup, login, names) : adminSteps(plan, b, names)));
    body.push(
      `  const headers = credentialHeaders(found);`,
      `  tenantId ??= found.kind === 'token' ? tenantIdFromJwt(found.value) : undefined;`,
    );
    if (plan.selection.kind === 'path' || plan.selection.kind === 'header')
      body.push(
        `  if (!tenantId)`,
        `    throw new Error('no tenant id in the answers (org.id, organisationId, a JWT claim…): the requests need it; read it from the right field in provision-tenants.ts');`,
      );
    body.push(
      `  const users: { role: string; headers: Record<string, string>; secrets?: string[] }[] = [];`,
      ...(plan.invite ? inviteSteps(plan, login, names) : []),
      ``,
      ...selectorsLine(plan),
      `  return {`,
      `    headers,`,
      `    id: tenantId ?? ${b.kind === 'admin' ? 'ctx.label' : 'email'},`,
      `    label: ${b.kind === 'signup' ? 'email' : '`tenantproof ${ctx.label}`'},`,
      `    secrets: [${b.kind === 'admin' ? 'found.value, adminToken' : 'password, found.value'}],`,
      ...(plan.selection.kind === 'credential' ? [] : [`    selectors,`]),
      ...(b.kind === 'signup' ? [`    role: ${q(plan.firstRole ?? 'admin')},`] : []),
      `    ...(users.length > 0 ? { users } : {}),`,
      `  };`,
      `}`,
    );
  }
  const text = [
    header(plan),
    `import { createHash${b.kind === 'admin' ? '' : ', randomBytes'} } from 'node:crypto';`,
    `import type { ProvisionContext, ProvisionResult } from 'tenantproof';`,
    ``,
    ...(b.kind === 'admin'
      ? []
      : [
          `/** One random password per run for the users this creates (TENANTPROOF_PASSWORD overrides it). */`,
          "const RUN_PASSWORD = 'Tp-' + randomBytes(9).toString('hex') + '-9a!';",
          ``,
        ]),
    ...prelude(body.join('\n'), plan),
    ...body,
    credentialFinder(plan),
    HELPERS.trimStart(),
  ].join('\n');
  return resolveLineMarks(text);
}

/** The function's first lines: the names and secrets the steps below use (only those). */
function prelude(steps: string, plan: TenancyPlan): string[] {
  const uses = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(steps);
  return [
    `export default async function provision(i: number, ctx: ProvisionContext): Promise<ProvisionResult> {`,
    ...(uses('tag') || uses('email') || uses('slug') || plan.bootstrap.kind === 'none'
      ? [`  const tag = runTag(ctx);`]
      : []),
    ...(uses('email') || plan.bootstrap.kind === 'none'
      ? [`  const email = 'tenantproof+' + tag + '-t' + i + '@example.test';`]
      : []),
    ...(uses('password') || plan.bootstrap.kind === 'none'
      ? [`  const password = ctx.env.TENANTPROOF_PASSWORD ?? RUN_PASSWORD;`]
      : []),
    ...(uses('slug') ? [`  const slug = 'tp-' + tag + '-' + i;`] : []),
  ].concat(uses('tag') || uses('email') || uses('password') || uses('slug') ? [''] : []);
}

/** Drops the `// __MARK_x__` lines and replaces `__LINE_x__` with the line that followed the mark. */
function resolveLineMarks(text: string): string {
  const kept: string[] = [];
  const at = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^\s*\/\/ __MARK_([a-z]+)__$/.exec(line);
    if (m) at.set(m[1]!, kept.length + 1);
    else kept.push(line);
  }
  return kept.map((line) => line.replace(LINE_MARK, (_, key: string) => String(at.get(key) ?? '?'))).join('\n');
}
